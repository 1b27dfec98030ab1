-- depends_on: {{ ref('int_evaluation_plan') }}
{# Each file is read for the pairs this run evaluates only (literal dates: the engine skips the rest). -#}
{%- set evaluated = pairs_condition(evaluated_pairs()) -%}
{#- The names of the files with no row for the key (NULL for the files that have one). -#}
{%- set missing_signal_names -%}
{%- for file_name in feature_file_names() -%}
case when not has_{{ file_name }}_signal then '{{ file_name }}' end{{ ", " if not loop.last }}
{%- endfor -%}
{%- endset -%}

with

assignment_keys as (

    select * from {{ ref('int_assignment_keys') }}

),

subscriptions as (

    select * from {{ ref('stg_features__subscriptions') }}
    where {{ evaluated }}

),

savings as (

    select * from {{ ref('stg_features__savings') }}
    where {{ evaluated }}

),

credit as (

    select * from {{ ref('stg_features__credit') }}
    where {{ evaluated }}

),

income as (

    select * from {{ ref('stg_features__income') }}
    where {{ evaluated }}

),

cash_flow as (

    select * from {{ ref('stg_features__cash_flow') }}
    where {{ evaluated }}

),

joined as (

    select
        assignment_keys.user_id,
        assignment_keys.window_days,
        assignment_keys.as_of_date,

        subscriptions.recurring_merchant_count,
        subscriptions.monthly_recurring_spend,
        subscriptions.subscription_share,
        savings.net_inflow,
        savings.net_inflow_monthly,
        savings.growth_rate,
        credit.max_utilization,
        credit.interest_charges_present,
        credit.minimum_payment_only,
        credit.is_overdue,
        income.median_pay_gap_days,
        income.cash_flow_buffer_months,
        cash_flow.pct_days_below_100,
        cash_flow.balance_volatility,

        subscriptions.user_id is not null as has_subscriptions_signal,
        savings.user_id is not null as has_savings_signal,
        credit.user_id is not null as has_credit_signal,
        income.user_id is not null as has_income_signal,
        cash_flow.user_id is not null as has_cash_flow_signal

    from assignment_keys
    left join subscriptions on {{ feature_key_join('assignment_keys', 'subscriptions') }}
    left join savings on {{ feature_key_join('assignment_keys', 'savings') }}
    left join credit on {{ feature_key_join('assignment_keys', 'credit') }}
    left join income on {{ feature_key_join('assignment_keys', 'income') }}
    left join cash_flow on {{ feature_key_join('assignment_keys', 'cash_flow') }}

),

with_missing_signals as (

    select
        *,
        {{ array_without_nulls(missing_signal_names) }} as missing_signals

    from joined

)

select * from with_missing_signals
