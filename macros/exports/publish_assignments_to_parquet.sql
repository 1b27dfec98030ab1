{% macro publish_assignments_to_parquet(published) %}
    {#-
        Post-hook of export_persona_assignments_parquet, which runs after the
        SQLite export: writes `published` (that model: every column of
        persona_assignments but the trace, with real types) to var
        parquet_path.
    -#}
    {{- return(adapter.dispatch('publish_assignments_to_parquet', 'spendsense_personas')(published)) -}}
{% endmacro %}

{% macro duckdb__publish_assignments_to_parquet(published) %}
    {#-
        DuckDB writes a temporary file and renames it over the old one, so a
        reader or a crash sees the old file or the new one, never a
        truncated one.
    -#}
    copy (
        select * from {{ published }}
        order by as_of_date, user_id, window_days
    ) to {{ sql_string_literal(path_var('parquet_path')) }} (format parquet, use_tmp_file true)
{%- endmacro %}
