{%- set days_per_month = threshold_var('days_per_month', unit='days', divisor=true) -%}

with

source as (

    select * from {{ source('epic2_features', 'savings') }}

),

staged as (

    select
        {{ feature_key_columns() }},
        {{ finite_or_null('net_inflow') }} as net_inflow,
        {{ finite_or_null('growth_rate') }} as growth_rate

    from source

),

with_monthly_inflow as (

    select
        *,
        net_inflow / (cast(window_days as double) / {{ days_per_month }}) as net_inflow_monthly

    from staged

)

select * from with_monthly_inflow
