-- How many keys are ASSIGNED vs STABLE, per as_of_date and window.
-- Run: dbt compile --select assignment_status_counts, then run the SQL, or
-- dbt show --inline "$(cat target/compiled/.../assignment_status_counts.sql)".
with

assignments as (

    select * from {{ ref('persona_assignments') }}

),

status_counts as (

    select
        as_of_date,
        window_days,
        status,
        count(*) as assignment_count

    from assignments
    group by as_of_date, window_days, status

)

select * from status_counts
order by as_of_date, window_days, status
