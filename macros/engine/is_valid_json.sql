{% macro is_valid_json(text_expression) %}
    {#- Whether the text parses as JSON. -#}
    {{- return(adapter.dispatch('is_valid_json', 'spendsense_personas')(text_expression)) -}}
{% endmacro %}

{% macro default__is_valid_json(text_expression) -%}
    (from_json({{ text_expression }}, 'map<string,string>') is not null)
{%- endmacro %}

{% macro duckdb__is_valid_json(text_expression) -%}
    coalesce(json_valid({{ text_expression }}), false)
{%- endmacro %}
