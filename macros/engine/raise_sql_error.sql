{% macro raise_sql_error(message_sql) %}
    {#-
        An expression that aborts the query with `message_sql` (a SQL string
        expression). Used in a WHERE clause so the error names the offending
        row, which a plain "Got 1 result" test failure cannot.
    -#}
    {{- return(adapter.dispatch('raise_sql_error', 'spendsense_personas')(message_sql)) -}}
{% endmacro %}

{% macro default__raise_sql_error(message_sql) -%}
    raise_error({{ message_sql }})
{%- endmacro %}

{% macro duckdb__raise_sql_error(message_sql) -%}
    error({{ message_sql }})
{%- endmacro %}
