{% macro configured_windows() %}
    {#- The `windows` var as a list of positive whole numbers of days. -#}
    {%- set value = var('windows') -%}
    {%- set check = namespace(ok=(value is not string and value is iterable and value | length > 0)) -%}
    {%- if check.ok -%}
        {%- for window in value -%}
            {%- if window is sameas true or window is sameas false
                or window is not number or window != window | int or window <= 0 -%}
                {%- set check.ok = false -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if not check.ok -%}
        {{ exceptions.raise_compiler_error(
            "var 'windows' must be a non-empty list of positive whole numbers of days, got "
            ~ (value | tojson) ~ ". Example: --vars '{windows: [30, 180]}'."
        ) }}
    {%- endif -%}
    {{ return(value | map('int') | list) }}
{% endmacro %}
