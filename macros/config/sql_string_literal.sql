{% macro sql_string_literal(text) %}
    {#- A SQL string literal for any text: single quotes are doubled. -#}
    {{- return("'" ~ (text | string | replace("'", "''")) ~ "'") -}}
{% endmacro %}
