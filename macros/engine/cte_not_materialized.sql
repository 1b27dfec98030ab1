{% macro cte_not_materialized() %}
    {#-
        For a CTE read several times that should be read where it is used,
        with each reader's filters, rather than computed once in full:
        DuckDB materialises such a CTE by default (`as not materialized (`
        undoes it); Spark inlines CTEs anyway.
    -#}
    {{- return(adapter.dispatch('cte_not_materialized', 'spendsense_personas')()) -}}
{% endmacro %}

{% macro default__cte_not_materialized() %}
    {{- return('') -}}
{% endmacro %}

{% macro duckdb__cte_not_materialized() %}
    {{- return('not materialized') -}}
{% endmacro %}
