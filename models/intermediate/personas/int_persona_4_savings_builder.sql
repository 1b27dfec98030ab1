{%- set persona_id = 4 -%}
{%- set min_growth_rate = threshold_var('savings_min_growth_rate') -%}
{%- set min_net_inflow_monthly = threshold_var('savings_min_net_inflow_monthly') -%}
{%- set max_utilization = threshold_var('savings_max_utilization') -%}
{%- set criteria = [
    {'name': 'growth_rate', 'operator': '>=', 'threshold': min_growth_rate, 'unit': 'percent'},
    {'name': 'net_inflow_monthly', 'operator': '>=', 'threshold': min_net_inflow_monthly, 'unit': 'dollars'},
    {'name': 'max_utilization', 'operator': '<', 'threshold': max_utilization, 'unit': 'percent',
     'null_value_label': 'no credit card',
     'extra_fields': [('no_credit_card', 'has_no_credit_card')]},
] -%}

with

signals as (

    select * from {{ ref('int_feature_signals') }}

),

persona as (

    select * from {{ ref('personas') }}
    where persona_id = {{ persona_id }}

),

criteria as (

    select
        user_id,
        window_days,
        as_of_date,
        growth_rate,
        net_inflow_monthly,
        max_utilization,
        -- A credit row with no utilization is a user without a card. A user
        -- with no credit row at all is unknown data, not "no card".
        (has_credit_signal and max_utilization is null) as has_no_credit_card,
        {{ criterion_passes('growth_rate', '>=', min_growth_rate) }} as passes_growth_rate,
        {{ criterion_passes('net_inflow_monthly', '>=', min_net_inflow_monthly) }}
            as passes_net_inflow_monthly

    from signals

),

credit_checked as (

    select
        *,
        (
            {{ criterion_passes('max_utilization', '<', max_utilization) }}
            or has_no_credit_card
        ) as passes_max_utilization

    from criteria

),

matched as (

    select
        *,
        (
            (passes_growth_rate or passes_net_inflow_monthly)
            and passes_max_utilization
        ) as is_matched

    from credit_checked

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
