{%- set persona_models = persona_model_names() -%}

with

{% for persona_model in persona_models -%}
{{ persona_model }} as (

    select
        scenario_id,
        user_id,
        window_days,
        as_of_date,
        persona_id,
        persona_name,
        priority,
        is_matched,
        severity

    from {{ ref(persona_model) }}

),

{% endfor -%}

unioned as (

    {% for persona_model in persona_models -%}
    select * from {{ persona_model }}
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

)

select * from unioned
