{% macro relative_path_note(var_name) %}
    {#-
        Appended to a "not found" message about the path in var `var_name`:
        where the engine looked for it when the path is relative and the
        engine may not be in the folder dbt runs in.
    -#}
    {{- return(adapter.dispatch('relative_path_note', 'spendsense_personas')(var_name)) -}}
{% endmacro %}

{% macro default__relative_path_note(var_name) -%}
    {#- DuckDB runs inside the dbt process: a relative path is relative to the folder dbt runs in. -#}
    {{- return('') -}}
{%- endmacro %}
