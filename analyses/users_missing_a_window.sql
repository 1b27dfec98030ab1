-- Users that lack an assignment for one of the configured windows on a date
-- (the gate's every_user_has_every_window check, listed with the windows held).
with

assignments as (

    select * from {{ ref('persona_assignments') }}

),

windows_per_user as (

    select
        user_id,
        as_of_date,
        count(distinct window_days) as window_count,
        concat_ws(
            ', '
            {% for window_days in configured_windows() %},
            max(case when window_days = {{ window_days }} then '{{ window_days }}' end)
            {% endfor %}
        ) as windows_present

    from assignments
    group by user_id, as_of_date

)

select * from windows_per_user
where window_count < {{ configured_windows() | length }}
order by as_of_date, user_id
