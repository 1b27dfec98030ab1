{% macro archetypes_file_exists() %}
    {{- return(adapter.dispatch('archetypes_file_exists', 'spendsense_personas')()) -}}
{% endmacro %}

{% macro duckdb__archetypes_file_exists() %}
    {#-
        Whether the optional archetype file (var archetypes_path) exists.
        Checked when a model or test runs; at parse time it answers false.
    -#}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set found = run_query(
        'select count(*) from glob(' ~ sql_string_literal(path_var('archetypes_path')) ~ ')'
    ).columns[0].values()[0] -%}
    {{ return(found > 0) }}
{% endmacro %}
