{% macro publish_assignments_to_sqlite(assignments, transitions) %}
    {#-
        Post-hook of export_persona_assignments_sqlite (outside dbt's
        transaction, after the gate passed). Hands this run's rows of
        `assignments` (the pairs it evaluated) and of `transitions` (the
        pairs whose transitions it recomputed) to the project's dbt-duckdb
        plugin (plugins/publication.py, named in profiles.yml), which writes
        tables persona_assignments and persona_transitions of the SQLite
        database at var sqlite_path in one SQLite transaction (SPEC sections
        6 and 8): rows of those pairs are replaced, every other pair and
        every other table is kept. A database
        it creates gets 64 KB pages; free disk space is checked first (var
        check_free_disk_space). Renders no SQL.
    -#}
    {%- if not sqlite_export_enabled() -%}
        {%- if execute -%}
            {{ log("Notice: the SQLite export is skipped (" ~ (
                "var export_sqlite is false" if target.type == 'duckdb'
                else "it is DuckDB-only, and target '" ~ target.name ~ "' is " ~ target.type
            ) ~ "); the Parquet output at " ~ var('parquet_path') ~ " is the published result.", info=true) }}
        {%- endif -%}
        {{ return('') }}
    {%- endif -%}
    {%- if execute -%}
        {%- set targets = transition_pairs() -%}
        {%- do adapter.store_relation(
            'publication', assignments, [], path_var('sqlite_path'), 'sqlite', {
                'check_free_disk_space': boolean_var('check_free_disk_space'),
                'where': pairs_condition(evaluated_pairs()),
                'transitions': transitions | string,
                'transitions_where': pairs_condition(targets),
                'transition_pairs': targets,
            }
        ) -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
