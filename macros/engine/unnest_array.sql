{% macro unnest_array(array_expression) %}
    {#-
        A select-list expression that turns each element of an array into a
        row of its own (DuckDB's unnest, Spark's explode), e.g. one row per
        criterion of a persona model's criteria_outcomes.
    -#}
    {{- return(adapter.dispatch('unnest_array', 'spendsense_personas')(array_expression)) -}}
{% endmacro %}

{% macro default__unnest_array(array_expression) -%}
    explode({{ array_expression }})
{%- endmacro %}

{% macro duckdb__unnest_array(array_expression) -%}
    unnest({{ array_expression }})
{%- endmacro %}
