{% macro safe_cast_date(column_name) %}
    {#-
        A DATE from a DATE, TIMESTAMP or ISO 'YYYY-MM-DD' string column;
        NULL when the text is not a date (a data test then names the row).
    -#}
    {{- return(adapter.dispatch('safe_cast_date', 'spendsense_personas')(column_name)) -}}
{% endmacro %}

{% macro default__safe_cast_date(column_name) -%}
    to_date(cast({{ column_name }} as string))
{%- endmacro %}

{% macro duckdb__safe_cast_date(column_name) -%}
    try_cast({{ column_name }} as date)
{%- endmacro %}
