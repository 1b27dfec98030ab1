{% macro sqlite_export_enabled() %}
    {#-
        Whether this run writes the SQLite table: var export_sqlite on an
        engine that can write SQLite (DuckDB, through its sqlite extension).
        Other engines publish Parquet only.
    -#}
    {{- return(adapter.dispatch('sqlite_export_enabled', 'spendsense_personas')()) -}}
{% endmacro %}

{% macro default__sqlite_export_enabled() %}
    {{ return(boolean_var('export_sqlite')) }}
{% endmacro %}


{% macro sqlite_export_skip_notice() %}
    {#- The notice logged when the SQLite export does not run. -#}
    {{- return(adapter.dispatch('sqlite_export_skip_notice', 'spendsense_personas')()) -}}
{% endmacro %}

{% macro default__sqlite_export_skip_notice() %}
    {{ return("Notice: var export_sqlite is false: SQLite export skipped.") }}
{% endmacro %}
