{%- set windows = configured_windows() -%}
{%- set as_of_date = requested_as_of_date() -%}
{#- No as_of_date var: every date present in the files is evaluated. -#}
{%- set as_of_date_condition = (
    'as_of_date = cast(' ~ sql_string_literal(as_of_date) ~ ' as date)' if as_of_date is not none else 'true'
) -%}

with

subscriptions as (

    select
        user_id,
        window_days,
        as_of_date

    from {{ ref('stg_features__subscriptions') }}

),

savings as (

    select
        user_id,
        window_days,
        as_of_date

    from {{ ref('stg_features__savings') }}

),

credit as (

    select
        user_id,
        window_days,
        as_of_date

    from {{ ref('stg_features__credit') }}

),

income as (

    select
        user_id,
        window_days,
        as_of_date

    from {{ ref('stg_features__income') }}

),

cash_flow as (

    select
        user_id,
        window_days,
        as_of_date

    from {{ ref('stg_features__cash_flow') }}

),

keys_in_any_file as (

    select * from subscriptions
    union
    select * from savings
    union
    select * from credit
    union
    select * from income
    union
    select * from cash_flow

),

requested_keys as (

    select * from keys_in_any_file
    where
        window_days in ({{ windows | join(', ') }})
        and {{ as_of_date_condition }}

)

select * from requested_keys
