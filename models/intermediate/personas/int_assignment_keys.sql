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

evaluated_keys as (

    select * from keys_in_any_file
    where {{ evaluated }}

)

select * from evaluated_keys
