with

assignments as (

    select * from {{ ref('rpt_run_assignments') }}

),

-- The labels of this run's dates only (an undated label holds for every date):
-- the join below matches on user_id first, so every other label date kept
-- would multiply the rows it compares (16M instead of 2M at eight dates).
archetypes as (

    select * from {{ ref('stg_labels__user_archetypes') }}
    where
        as_of_date is null
        or as_of_date in (select distinct run_dates.as_of_date from {{ ref('rpt_run_assignments') }} as run_dates)

),

archetype_expectations as (

    select * from {{ ref('archetype_expectations') }}

),

labelled as (

    select
        assignments.as_of_date,
        assignments.window_days,
        archetypes.archetype,
        assignments.primary_persona_id,
        assignments.user_id,
        coalesce(assignments.primary_persona_name, 'STABLE') as outcome

    from assignments
    inner join archetypes
        on {{ archetype_label_join('assignments', 'archetypes') }}

),

matrix as (

    select
        labelled.as_of_date,
        labelled.window_days,
        labelled.archetype,
        labelled.primary_persona_id,
        labelled.outcome,
        count(*) as user_count,
        coalesce(
            labelled.primary_persona_id is not distinct from archetype_expectations.expected_primary_persona_id,
            false
        ) as is_expected

    from labelled
    left join archetype_expectations
        on
            labelled.archetype = archetype_expectations.archetype
            and labelled.window_days = archetype_expectations.window_days
    group by
        labelled.as_of_date,
        labelled.window_days,
        labelled.archetype,
        labelled.primary_persona_id,
        labelled.outcome,
        archetype_expectations.expected_primary_persona_id

)

select * from matrix
