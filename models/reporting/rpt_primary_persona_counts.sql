with

assignments as (

    select * from {{ ref('rpt_run_assignments') }}

),

personas as (

    select * from {{ ref('personas') }}

),

windows as (

    select distinct
        as_of_date,
        window_days

    from assignments

),

-- Every persona appears for every window, with zero when nobody has it.
outcomes as (

    select
        windows.as_of_date,
        windows.window_days,
        personas.persona_id,
        personas.persona_name as outcome

    from windows
    cross join personas

    union all

    select
        as_of_date,
        window_days,
        cast(null as integer) as persona_id,
        'STABLE' as outcome

    from windows

),

counts as (

    select
        outcomes.as_of_date,
        outcomes.window_days,
        outcomes.persona_id,
        outcomes.outcome,
        count(assignments.assignment_id) as key_count

    from outcomes
    left join assignments
        on
            outcomes.as_of_date = assignments.as_of_date
            and outcomes.window_days = assignments.window_days
            and outcomes.persona_id is not distinct from assignments.primary_persona_id
    group by outcomes.as_of_date, outcomes.window_days, outcomes.persona_id, outcomes.outcome

)

select * from counts
