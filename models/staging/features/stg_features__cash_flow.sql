with

source as (

    select * from {{ source('epic2_features', 'cash_flow') }}

),

staged as (

    select
        {{ feature_key_columns() }},
        {{ finite_or_null('pct_days_below_100') }} as pct_days_below_100,
        {{ finite_or_null('balance_volatility') }} as balance_volatility

    from source

)

select * from staged
