{% macro sqlite_rows_kept(database_alias, evaluated_dates, attach_database) %}
    {#-
        How many rows of the SQLite persona_assignments table belong to
        as_of_dates this run did not evaluate (so the export must keep
        them); none when the table does not exist yet. Runs `attach_database`
        first. Used to choose between rebuilding the table and deleting the
        evaluated dates from it.
    -#}
    {%- do run_query(attach_database) -%}
    {%- set existing = run_query(
        "select count(*) from duckdb_tables() where database_name = '" ~ database_alias
        ~ "' and table_name = 'persona_assignments'"
    ) -%}
    {%- if existing.rows[0][0] == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set kept = run_query(
        "select count(*) from " ~ database_alias ~ ".main.persona_assignments "
        ~ "where as_of_date not in (" ~ evaluated_dates ~ ")"
    ) -%}
    {{ return(kept.rows[0][0]) }}
{% endmacro %}
