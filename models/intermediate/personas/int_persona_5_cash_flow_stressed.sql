{%- set persona_id = 5 -%}
{%- set criteria = [
    {'name': 'pct_days_below_100', 'operator': '>=', 'threshold_var': 'cash_flow_min_pct_days_below_100'},
    {'name': 'balance_volatility', 'operator': '>', 'threshold_var': 'cash_flow_min_balance_volatility'},
] -%}

with

signals as (

    select * from {{ ref('int_feature_signals') }}

),

-- The rule sets to evaluate: the current thresholds, and a what-if's candidates.
scenarios as (

    select * from {{ ref('int_rule_scenarios') }}

),

persona as (

    select * from {{ ref('personas') }}
    where persona_id = {{ persona_id }}

),

criteria as (

    select
        scenarios.*,
        signals.user_id,
        signals.window_days,
        signals.as_of_date,
        {{ persona_criteria_columns(criteria) }}

    from signals
    cross join scenarios

),

matched as (

    select
        *,
        (passes_pct_days_below_100 and passes_balance_volatility) as is_matched

    from criteria

),

scored as (

    select
        matched.*,
        persona.persona_id,
        persona.persona_name,
        persona.priority,
        case when matched.is_matched then coalesce(matched.pct_days_below_100, 0) end as severity

    from matched
    cross join persona

),

final as (

    select
        scenario_id,
        user_id,
        window_days,
        as_of_date,
        persona_id,
        persona_name,
        priority,
        is_matched,
        severity,
        {{ persona_outcome_columns(criteria) }}

    from scored

)

select * from final
