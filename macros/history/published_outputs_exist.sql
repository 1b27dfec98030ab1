{% macro published_outputs_exist() %}
    {#-
        Whether every output this run publishes to exists (DuckDB's glob):
        when one was deleted, or var sqlite_path or parquet_path points at a
        new file, or export_sqlite was switched on, the publication record
        does not describe what is on disk, and int_evaluation_plan evaluates
        every pair again.
    -#}
    {%- set paths = [path_var('parquet_path'), transitions_parquet_path()] -%}
    {%- if sqlite_export_enabled() -%}
        {%- do paths.append(path_var('sqlite_path')) -%}
    {%- endif -%}
    {%- for path in paths -%}
        {%- if run_query('select count(*) from glob(' ~ sql_string_literal(path) ~ ')').rows[0][0] == 0 -%}
            {{ return(false) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(true) }}
{% endmacro %}
