with

source as (

    select * from {{ source('epic2_features', 'subscriptions') }}

),

staged as (

    select
        {{ feature_key_columns() }},
        cast({{ finite_or_null('recurring_merchant_count') }} as integer) as recurring_merchant_count,
        {{ finite_or_null('monthly_recurring_spend') }} as monthly_recurring_spend,
        {{ finite_or_null('subscription_share') }} as subscription_share

    from source

)

select * from staged
