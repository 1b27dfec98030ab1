-- depends_on: {{ ref('int_evaluation_plan') }}
{# Only the (as_of_date, window_days) pairs this run evaluates (int_evaluation_plan). -#}
{%- set evaluated = pairs_condition(evaluated_pairs()) -%}

with

{% for file_name in feature_file_names() -%}
{{ file_name }} as (

    select
        user_id,
        window_days,
        as_of_date

    from {{ ref('stg_features__' ~ file_name) }}
    where {{ evaluated }}

),

{% endfor -%}

keys_in_any_file as (

    {% for file_name in feature_file_names() -%}
    select * from {{ file_name }}
    {% if not loop.last %}union
    {% endif -%}
    {%- endfor %}

),

-- In key order: the tables built from the spine come out in about this order,
-- which is what keeps the SQLite export's inserts into its two unique indexes
-- local (docs/decisions.md). Sorting these three columns is cheap; sorting the
-- finished rows, with their 2 KB traces, is not.
evaluated_keys as (

    select * from keys_in_any_file
    where {{ evaluated }}
    order by user_id, window_days, as_of_date

)

select * from evaluated_keys
