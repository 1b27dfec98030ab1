{%- set persona_id = 3 -%}
{%- set criteria = [
    {'name': 'recurring_merchant_count', 'operator': '>=', 'threshold_var': 'subscription_min_merchant_count'},
    {'name': 'monthly_recurring_spend', 'operator': '>=', 'threshold_var': 'subscription_min_monthly_spend'},
    {'name': 'subscription_share', 'operator': '>=', 'threshold_var': 'subscription_min_share'},
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
        (
            passes_recurring_merchant_count
            and (passes_monthly_recurring_spend or passes_subscription_share)
        ) as is_matched

    from criteria

),

scored as (

    select
        matched.*,
        persona.persona_id,
        persona.persona_name,
        persona.priority,
        case when matched.is_matched then coalesce(matched.subscription_share, 0) end as severity

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
