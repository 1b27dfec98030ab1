with

assignments as (

    select * from {{ ref('rpt_run_assignments') }}

),

archetypes as (

    select * from {{ ref('stg_labels__user_archetypes') }}

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
