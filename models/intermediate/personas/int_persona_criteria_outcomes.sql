{#-
    Every criterion of every persona rule, for every key and scenario: one
    row per criterion of each persona model's criteria_outcomes, with the
    key's value, the threshold it was compared with and whether it passed.
    A view: the report counts it per criterion (rpt_persona_criteria), a
    what-if reads it for its example users (what_if_examples).
-#}

with

{% for persona_model in persona_model_names() -%}
persona_{{ loop.index }} as (

    select
        scenario_id,
        user_id,
        window_days,
        as_of_date,
        persona_id,
        persona_name,
        is_matched,
        {{ unnest_array('criteria_outcomes') }} as criterion

    from {{ ref(persona_model) }}

),

{% endfor -%}

criteria as (

    {% for persona_model in persona_model_names() -%}
    select * from persona_{{ loop.index }}
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

),

outcomes as (

    select
        criteria.scenario_id,
        criteria.user_id,
        criteria.window_days,
        criteria.as_of_date,
        criteria.persona_id,
        criteria.persona_name,
        criteria.is_matched,
        criteria.criterion.criterion_position,
        criteria.criterion.criterion_name,
        criteria.criterion.operator,
        criteria.criterion.threshold,
        criteria.criterion.criterion_value,
        criteria.criterion.passed

    from criteria

)

select * from outcomes
