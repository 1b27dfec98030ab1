{% macro persona_thresholds() %}
    {#-
        Every threshold var of the persona rules (SPEC section 4), with what
        it measures: the persona it belongs to and its unit. The unit decides
        the plausible range threshold_var checks and how the trace's
        reasoning writes the value. The defaults are in dbt_project.yml.
    -#}
    {{ return({
        'high_utilization_min_utilization': {'persona_id': 1, 'unit': 'utilization'},
        'variable_income_min_pay_gap_days': {'persona_id': 2, 'unit': 'days', 'divisor': true},
        'variable_income_max_buffer_months': {'persona_id': 2, 'unit': 'months'},
        'subscription_min_merchant_count': {'persona_id': 3, 'unit': 'count'},
        'subscription_min_monthly_spend': {'persona_id': 3, 'unit': 'dollars'},
        'subscription_min_share': {'persona_id': 3, 'unit': 'fraction'},
        'savings_min_growth_rate': {'persona_id': 4, 'unit': 'fraction'},
        'savings_min_net_inflow_monthly': {'persona_id': 4, 'unit': 'dollars'},
        'savings_max_utilization': {'persona_id': 4, 'unit': 'utilization'},
        'cash_flow_min_pct_days_below_100': {'persona_id': 5, 'unit': 'fraction'},
        'cash_flow_min_balance_volatility': {'persona_id': 5, 'unit': 'ratio'},
    }) }}
{% endmacro %}
