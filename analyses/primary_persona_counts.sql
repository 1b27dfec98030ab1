-- How many keys have each primary persona, per as_of_date and window
-- (STABLE keys are counted under a NULL persona).
with

assignments as (

    select * from {{ ref('persona_assignments') }}

),

persona_counts as (

    select
        as_of_date,
        window_days,
        primary_persona_id,
        primary_persona_name,
        count(*) as assignment_count

    from assignments
    group by as_of_date, window_days, primary_persona_id, primary_persona_name

)

select * from persona_counts
order by as_of_date, window_days, primary_persona_id nulls last
