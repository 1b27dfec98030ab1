{#-
    The example keys of the what-if report: up to var
    what_if_examples_per_cell changed keys per cell of the change matrix
    (scenario, window, current and candidate primary outcome), in user order.
    what_if_examples adds the criterion that flipped for each.
-#}
{%- set examples_per_cell = var('what_if_examples_per_cell') %}

with

changed as (

    select
        scenario_id,
        user_id,
        window_days,
        as_of_date,
        current_outcome,
        candidate_outcome,
        current_status,
        candidate_status,
        current_secondary_persona_id,
        candidate_secondary_persona_id,
        row_number() over (
            partition by scenario_id, window_days, current_outcome, candidate_outcome
            order by user_id, as_of_date
        ) as example_rank

    from {{ ref('what_if_comparisons') }}
    where is_status_changed or is_primary_changed or is_secondary_changed

),

examples as (

    select * from changed
    where example_rank <= {{ examples_per_cell }}

)

select * from examples
