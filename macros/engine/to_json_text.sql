{% macro to_json_text(struct_expression) %}
    {#- Compact JSON text (no pretty-printing) of a struct expression. -#}
    {{- return(adapter.dispatch('to_json_text', 'spendsense_personas')(struct_expression)) -}}
{% endmacro %}

{% macro default__to_json_text(struct_expression) -%}
    to_json({{ struct_expression }})
{%- endmacro %}

{% macro duckdb__to_json_text(struct_expression) -%}
    cast(to_json({{ struct_expression }}) as varchar)
{%- endmacro %}
