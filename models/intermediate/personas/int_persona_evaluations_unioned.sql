{%- set persona_models = [
    'int_persona_1_high_utilization',
    'int_persona_2_variable_income_budgeter',
    'int_persona_3_subscription_heavy',
    'int_persona_4_savings_builder',
    'int_persona_5_cash_flow_stressed',
] -%}

with

{% for persona_model in persona_models -%}
{{ persona_model }} as (

    select
        user_id,
        window_days,
        as_of_date,
        persona_id,
        persona_name,
        priority,
        is_matched,
        severity,
        reasoning

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
