{%- set persona_id = 2 -%}
{%- set criteria = [
    {'name': 'median_pay_gap_days', 'operator': '>', 'threshold_var': 'variable_income_min_pay_gap_days'},
    {'name': 'cash_flow_buffer_months', 'operator': '<', 'threshold_var': 'variable_income_max_buffer_months'},
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
        (passes_median_pay_gap_days and passes_cash_flow_buffer_months) as is_matched

    from criteria

),

scored as (

    select
        matched.*,
        persona.persona_id,
        persona.persona_name,
        persona.priority,
        -- How far past the threshold the pay gap is: 90 days scores 2.0.
        case
            when matched.is_matched
                then coalesce(matched.median_pay_gap_days / {{ rule_threshold('variable_income_min_pay_gap_days') }}, 0)
        end as severity

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
