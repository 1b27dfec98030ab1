{% macro persona_model_names() %}
    {#- The five persona evaluation models, in persona id order. -#}
    {{ return([
        'int_persona_1_high_utilization',
        'int_persona_2_variable_income_budgeter',
        'int_persona_3_subscription_heavy',
        'int_persona_4_savings_builder',
        'int_persona_5_cash_flow_stressed',
    ]) }}
{% endmacro %}
