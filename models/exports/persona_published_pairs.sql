{#-
    The publication record: one row per (as_of_date, window_days) pair that
    a run published, with the fingerprint of the inputs and the ruleset it
    was evaluated from. Written last, after both Parquet files, so a run
    that fails anywhere before leaves it as it was and the next run
    evaluates the same pairs again. int_evaluation_plan reads it to decide
    what is new. Incremental like persona_assignments: this run's pairs
    replace their rows, every other pair's row is kept.
-#}
{{ config(
    materialized=('incremental' if history_is_incremental() else 'table'),
    incremental_strategy='append',
    pre_hook=[
        "{{ assert_publication_gate_passed() }}",
        "{{ delete_pairs(evaluated_pairs()) }}",
    ],
) }}
-- depends_on: {{ ref('export_persona_transitions_parquet') }}
-- depends_on: {{ ref('persona_gate_result') }}
-- depends_on: {{ ref('persona_gate_violations') }}

with

plan as (

    select * from {{ ref('int_evaluation_plan') }}
    where is_evaluated

),

assignments as (

    select
        as_of_date,
        window_days,
        count(*) as assignment_count

    from {{ ref('persona_assignments') }}
    where {{ pairs_condition(evaluated_pairs()) }}
    group by as_of_date, window_days

),

published as (

    select
        plan.as_of_date,
        plan.window_days,
        plan.input_fingerprint,
        plan.ruleset_version,
        plan.evaluation_reason,
        coalesce(assignments.assignment_count, 0) as assignment_count,
        {{ sql_string_literal(invocation_id) }} as invocation_id,
        cast({{ sql_string_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S')) }} as timestamp)
            as published_at

    from plan
    left join assignments
        on
            plan.as_of_date = assignments.as_of_date
            and plan.window_days = assignments.window_days

)

select * from published
