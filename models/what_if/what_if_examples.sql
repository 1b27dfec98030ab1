{#-
    The what-if report's example keys (what_if_example_keys), one row per
    criterion whose outcome flipped: the persona, the criterion, the key's
    value, the current and the candidate threshold, and whether it passed
    under each. Read from the persona models' criteria_outcomes, so it says
    what the rules themselves did. The persona models are read for the
    example users only (a literal list, which the engine applies to the
    signals before evaluating any rule).
-#}
{%- set example_keys = built_relation(ref('what_if_example_keys')) if execute else none -%}
{%- set users = run_query(
    'select distinct user_id from ' ~ example_keys ~ ' order by 1'
).columns[0].values() if example_keys is not none else [] -%}
{%- set example_users = [] -%}
{%- for user_id in users -%}
    {%- do example_users.append(sql_string_literal(user_id)) -%}
{%- endfor %}

with

examples as (

    select * from {{ ref('what_if_example_keys') }}

),

outcomes as (

    select * from {{ ref('int_persona_criteria_outcomes') }}
    where user_id in ({{ example_users | join(', ') if example_users else 'null' }})

),

flipped as (

    select
        examples.scenario_id,
        examples.user_id,
        examples.window_days,
        examples.as_of_date,
        examples.current_outcome,
        examples.candidate_outcome,
        examples.current_status,
        examples.candidate_status,
        examples.current_secondary_persona_id,
        examples.candidate_secondary_persona_id,
        examples.example_rank,
        candidate.persona_id,
        candidate.persona_name,
        candidate.criterion_name,
        candidate.operator,
        candidate.criterion_value,
        current_criterion.threshold as current_threshold,
        candidate.threshold as candidate_threshold,
        current_criterion.passed as current_passed,
        candidate.passed as candidate_passed

    from examples
    inner join outcomes as candidate
        on
            examples.scenario_id = candidate.scenario_id
            and {{ feature_key_join('examples', 'candidate') }}
    inner join outcomes as current_criterion
        on
            current_criterion.scenario_id = 0
            and {{ feature_key_join('candidate', 'current_criterion') }}
            and candidate.persona_id = current_criterion.persona_id
            and candidate.criterion_position = current_criterion.criterion_position
    where candidate.passed <> current_criterion.passed

)

select * from flipped
