{% macro create_output_folder(path) %}
    {#-
        Pre-hook SQL that creates the folder the output file `path` goes
        into, when it is missing (DuckDB: the project plugin's
        ensure_parent_folder function, plugins/publication.py). Spark creates
        the folder of INSERT OVERWRITE DIRECTORY itself.
    -#}
    {{- return(adapter.dispatch('create_output_folder', 'spendsense_personas')(path)) -}}
{% endmacro %}

{% macro default__create_output_folder(path) %}
    {{- return('') -}}
{% endmacro %}

{% macro duckdb__create_output_folder(path) -%}
    select ensure_parent_folder({{ sql_string_literal(path) }})
{%- endmacro %}
