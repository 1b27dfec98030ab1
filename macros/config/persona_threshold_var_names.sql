{% macro persona_threshold_var_names() %}
    {#- The vars that hold persona thresholds (SPEC section 4). -#}
    {{ return([
        'high_utilization_min_utilization',
        'variable_income_min_pay_gap_days',
        'variable_income_max_buffer_months',
        'subscription_min_merchant_count',
        'subscription_min_monthly_spend',
        'subscription_min_share',
        'savings_min_growth_rate',
        'savings_min_net_inflow_monthly',
        'savings_max_utilization',
        'cash_flow_min_pct_days_below_100',
        'cash_flow_min_balance_volatility',
    ]) }}
{% endmacro %}
