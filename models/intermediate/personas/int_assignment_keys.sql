{%- set windows = configured_windows() -%}
{%- set as_of_date = requested_as_of_date() -%}
{#- No as_of_date var: every date present in the files is evaluated. -#}
{%- set as_of_date_condition = (
    'as_of_date = cast(' ~ sql_string_literal(as_of_date) ~ ' as date)' if as_of_date is not none else 'true'
) -%}

with

{% for file_name in feature_file_names() -%}
{{ file_name }} as (

    select
        user_id,
        window_days,
        as_of_date

    from {{ ref('stg_features__' ~ file_name) }}

),

{% endfor -%}

keys_in_any_file as (

    {% for file_name in feature_file_names() -%}
    select * from {{ file_name }}
    {% if not loop.last %}union
    {% endif -%}
    {%- endfor %}

),

requested_keys as (

    select * from keys_in_any_file
    where
        window_days in ({{ windows | join(', ') }})
        and {{ as_of_date_condition }}

)

select * from requested_keys
