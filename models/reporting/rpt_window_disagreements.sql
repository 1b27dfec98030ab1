with

assignments as (

    select * from {{ ref('rpt_run_assignments') }}

),

-- Which users disagree is decided on ids alone; the readable summary is then
-- built for those users only (a few percent of them at scale).
primary_persona_counts as (

    select
        user_id,
        as_of_date,
        count(distinct coalesce(primary_persona_id, 0)) as distinct_primary_count

    from assignments
    group by user_id, as_of_date

),

disagreeing_users as (

    select
        user_id,
        as_of_date

    from primary_persona_counts
    where distinct_primary_count > 1

),

disagreements as (

    select
        assignments.user_id,
        assignments.as_of_date,
        -- One part per configured window, in the order of var windows.
        concat_ws(
            '; '
            {% for window_days in configured_windows() %},
            max(
                case
                    when assignments.window_days = {{ window_days }}
                        then '{{ window_days }}d: ' || coalesce(assignments.primary_persona_name, 'STABLE')
                end
            )
            {% endfor %}
        ) as primary_by_window

    from assignments
    inner join disagreeing_users
        on
            assignments.user_id = disagreeing_users.user_id
            and assignments.as_of_date = disagreeing_users.as_of_date
    group by assignments.user_id, assignments.as_of_date

)

select * from disagreements
