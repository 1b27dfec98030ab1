{%- set persona_id = 5 -%}
{%- set min_pct_days_below_100 = threshold_var('cash_flow_min_pct_days_below_100') -%}
{%- set min_balance_volatility = threshold_var('cash_flow_min_balance_volatility') -%}
{%- set criteria = [
    {'name': 'pct_days_below_100', 'operator': '>=', 'threshold': min_pct_days_below_100, 'unit': 'percent'},
    {'name': 'balance_volatility', 'operator': '>', 'threshold': min_balance_volatility, 'unit': 'count'},
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
        pct_days_below_100,
        balance_volatility,
        {{ criterion_passes('pct_days_below_100', '>=', min_pct_days_below_100) }}
            as passes_pct_days_below_100,
        {{ criterion_passes('balance_volatility', '>', min_balance_volatility) }}
            as passes_balance_volatility

    from signals

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
