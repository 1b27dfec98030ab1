{% macro array_element(array_expression, position) %}
    {#- Element `position` (counted from 1) of an array expression. -#}
    {{- return(adapter.dispatch('array_element', 'spendsense_personas')(array_expression, position)) -}}
{% endmacro %}

{% macro default__array_element(array_expression, position) -%}
    element_at({{ array_expression }}, {{ position }})
{%- endmacro %}

{% macro duckdb__array_element(array_expression, position) -%}
    {{ array_expression }}[{{ position }}]
{%- endmacro %}
