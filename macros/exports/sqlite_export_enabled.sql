{% macro sqlite_export_enabled() %}
    {#-
        Whether this run writes the SQLite table: var export_sqlite, on
        DuckDB (the SQLite export is a dbt-duckdb plugin). Other engines
        publish Parquet only.
    -#}
    {{ return(target.type == 'duckdb' and boolean_var('export_sqlite')) }}
{% endmacro %}
