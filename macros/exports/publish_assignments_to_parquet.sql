{% macro publish_assignments_to_parquet(assignments) %}
    {{- return(adapter.dispatch('publish_assignments_to_parquet', 'spendsense_personas')(assignments)) -}}
{% endmacro %}

{% macro duckdb__publish_assignments_to_parquet(assignments) %}
    {#-
        Post-hook of export_persona_assignments_parquet, which runs after the
        SQLite export. Writes every column of `assignments` but the trace to
        the Parquet file at var parquet_path, with real types (integer ids,
        DATE as_of_date, double severities). DuckDB writes a temporary file
        and renames it over the old one, so a reader or a crash sees the old
        file or the new one, never a truncated one.
    -#}
    copy (
        select
            {{ parquet_output_columns() | join(',\n            ') }}
        from {{ assignments }}
        order by as_of_date, user_id, window_days
    ) to {{ sql_string_literal(path_var('parquet_path')) }} (format parquet, use_tmp_file true)
{%- endmacro %}
