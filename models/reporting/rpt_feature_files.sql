{#-
    What each Epic 2 feature file held: rows per as_of_date and window, and
    whether the window is one of var windows (rows of other windows are
    ignored). The report's list of inputs, and its count of ignored keys.
-#}
{%- set windows = configured_windows() -%}

with

{% for file_name in feature_file_names() -%}
{{ file_name }} as (

    select
        '{{ file_name }}' as file_name,
        {{ sql_string_literal(feature_file_path(file_name)) }} as file_path,
        as_of_date,
        window_days,
        count(*) as row_count

    from {{ ref('stg_features__' ~ file_name) }}
    group by as_of_date, window_days

),

{% endfor -%}

files as (

    {% for file_name in feature_file_names() -%}
    select * from {{ file_name }}
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

),

final as (

    select
        *,
        window_days in ({{ windows | join(', ') }}) as is_configured_window

    from files

)

select * from final
