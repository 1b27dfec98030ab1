with

source as (

    select * from {{ source('epic2_features', 'income') }}

),

staged as (

    select
        {{ feature_key_columns() }},
        {{ finite_or_null('median_pay_gap_days') }} as median_pay_gap_days,
        {{ finite_or_null('cash_flow_buffer_months') }} as cash_flow_buffer_months

    from source

)

select * from staged
