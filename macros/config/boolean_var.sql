{% macro boolean_var(name) %}
    {#- A true/false var; anything else stops the run naming the var. -#}
    {%- set value = var(name) -%}
    {%- if value is not sameas true and value is not sameas false -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ name ~ "' must be true or false, got " ~ (value | tojson) ~ "."
        ) }}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}
