with

source as (

    select * from {{ source('epic2_features', 'credit') }}

),

staged as (

    select
        {{ feature_key_columns() }},
        {{ finite_or_null('max_utilization') }} as max_utilization,
        cast(interest_charges_present as boolean) as interest_charges_present,
        cast(minimum_payment_only as boolean) as minimum_payment_only,
        cast(is_overdue as boolean) as is_overdue

    from source

)

select * from staged
