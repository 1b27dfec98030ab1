{#-
    The assignments of the (as_of_date, window_days) pairs this run
    evaluated: what the report's per-run sections describe. Stored dates
    that the run left as they were are in persona_assignments, and in the
    report's history section (rpt_persona_mix_over_time).
-#}

with

assignments as (

    select * from {{ ref('persona_assignments') }}

),

evaluation_plan as (

    select * from {{ ref('int_evaluation_plan') }}
    where is_evaluated

),

run_assignments as (

    select
        assignments.assignment_id,
        assignments.user_id,
        assignments.window_days,
        assignments.as_of_date,
        assignments.primary_persona_id,
        assignments.primary_persona_name,
        assignments.primary_priority,
        assignments.primary_severity,
        assignments.secondary_persona_id,
        assignments.secondary_persona_name,
        assignments.secondary_priority,
        assignments.secondary_severity,
        assignments.status,
        assignments.assignment_trace,
        assignments.computed_at,
        assignments.ruleset_version

    from assignments
    inner join evaluation_plan
        on
            assignments.as_of_date = evaluation_plan.as_of_date
            and assignments.window_days = evaluation_plan.window_days

)

select * from run_assignments
