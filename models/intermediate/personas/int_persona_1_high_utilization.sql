{%- set persona_id = 1 -%}
{%- set criteria = [
    {'name': 'max_utilization', 'operator': '>=', 'threshold_var': 'high_utilization_min_utilization'},
    {'name': 'interest_charges_present'},
    {'name': 'minimum_payment_only'},
    {'name': 'is_overdue'},
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
            passes_max_utilization
            or passes_interest_charges_present
            or passes_minimum_payment_only
            or passes_is_overdue
        ) as is_matched

    from criteria

),

scored as (

    select
        matched.*,
        persona.persona_id,
        persona.persona_name,
        persona.priority,
        case when matched.is_matched then coalesce(matched.max_utilization, 0) end as severity

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
