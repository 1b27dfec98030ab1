{% macro transitions_parquet_path() %}
    {#-
        Where the Parquet file of persona_transitions is written: var
        transitions_parquet_path, or persona_transitions.parquet in the
        folder of var parquet_path when that var is null.
    -#}
    {%- if var('transitions_parquet_path') is none -%}
        {%- set parquet_path = path_var('parquet_path') -%}
        {%- set folder = parquet_path.rsplit('/', 1)[0] if '/' in parquet_path else '.' -%}
        {{ return(folder ~ '/persona_transitions.parquet') }}
    {%- endif -%}
    {{ return(path_var('transitions_parquet_path')) }}
{% endmacro %}
