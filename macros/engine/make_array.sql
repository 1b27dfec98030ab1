{% macro make_array(expressions) %}
    {#- An array (list) expression from a list of SQL expressions. -#}
    {{- return(adapter.dispatch('make_array', 'spendsense_personas')(expressions)) -}}
{% endmacro %}

{% macro default__make_array(expressions) -%}
    array({{ expressions | join(', ') }})
{%- endmacro %}

{% macro duckdb__make_array(expressions) -%}
    [{{ expressions | join(', ') }}]
{%- endmacro %}
