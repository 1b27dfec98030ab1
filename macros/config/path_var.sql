{% macro path_var(name) %}
    {#-
        A file or folder path var. Paths end up inside SQL string literals, so
        a quote is refused outright: no var value can ever become SQL. Other
        characters (spaces, semicolons) are harmless inside a quoted literal.
    -#}
    {%- set value = var(name) -%}
    {%- if value is not string or value | trim == '' -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ name ~ "' must be a non-empty path string, got " ~ (value | tojson) ~ "."
        ) }}
    {%- endif -%}
    {%- if "'" in value or '"' in value or '\\' in value -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ name ~ "' = <" ~ value ~ "> contains a quote or backslash, "
            ~ "which this project refuses in paths so that no var can inject SQL. "
            ~ "Rename or link the folder to a path without quotes."
        ) }}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}
