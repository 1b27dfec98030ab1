{%- set persona_id = 4 -%}
{#- The credit criterion also passes for a user with no credit card (trace key no_credit_card). -#}
{%- set criteria = [
    {'name': 'growth_rate', 'operator': '>=', 'threshold_var': 'savings_min_growth_rate'},
    {'name': 'net_inflow_monthly', 'operator': '>=', 'threshold_var': 'savings_min_net_inflow_monthly'},
    {'name': 'max_utilization', 'operator': '<', 'threshold_var': 'savings_max_utilization',
     'or_flag': ('no_credit_card', 'has_no_credit_card')},
] -%}

with

signals as (

    select
        *,
        -- A credit row with no utilization is a user without a card. A user
        -- with no credit row at all is unknown data, not "no card".
        (has_credit_signal and max_utilization is null) as has_no_credit_card

    from {{ ref('int_feature_signals') }}

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
        signals.has_no_credit_card,
        {{ persona_criteria_columns(criteria) }}

    from signals
    cross join scenarios

),

matched as (

    select
        *,
        (
            (passes_growth_rate or passes_net_inflow_monthly)
            and passes_max_utilization
        ) as is_matched

    from criteria

),

scored as (

    select
        matched.*,
        persona.persona_id,
        persona.persona_name,
        persona.priority,
        case when matched.is_matched then coalesce(matched.growth_rate, 0) end as severity

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
