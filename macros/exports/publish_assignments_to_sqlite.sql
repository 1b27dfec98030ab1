{% macro stage_assignments_in_sqlite(assignments) %}
    {#-
        Post-hook of export_persona_assignments_sqlite_staged. Hands this
        run's rows of `assignments` (the pairs it evaluated) to the project's
        dbt-duckdb plugin (plugins/publication.py, named in profiles.yml),
        which writes them into table persona_assignments of the SQLite
        database at var sqlite_path inside a SQLite transaction and leaves
        it open (SPEC section 6): rows of those pairs are replaced, every
        other pair and every other table is kept. Nothing is visible to
        readers until publish_assignments_to_sqlite commits it, after the
        gate passed; discard_staged_sqlite_write rolls it back otherwise. A
        database it creates gets 64 KB pages; free disk space is checked
        first (var check_free_disk_space). Renders no SQL.
    -#}
    {%- if execute and sqlite_export_enabled() -%}
        {%- do adapter.store_relation(
            'publication', assignments, [], path_var('sqlite_path'), 'sqlite', {
                'action': 'stage',
                'invocation_id': invocation_id,
                'check_free_disk_space': boolean_var('check_free_disk_space'),
                'where': pairs_condition(evaluated_pairs()),
            }
        ) -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{% macro publish_assignments_to_sqlite(transitions) %}
    {#-
        Post-hook of export_persona_assignments_sqlite (after the gate
        passed and the pre-hook re-checked it): adds this run's rows of
        `transitions` (the pairs whose transitions it recomputed) to table
        persona_transitions, replacing those pairs' rows (SPEC section 8),
        inside the SQLite write that export_persona_assignments_sqlite_staged
        left open in this invocation, and commits it: both tables change at
        once. Renders no SQL.
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
            'publication', none, [], path_var('sqlite_path'), 'sqlite', {
                'action': 'commit',
                'invocation_id': invocation_id,
                'transitions': transitions | string,
                'transitions_where': pairs_condition(targets),
                'transition_pairs': targets,
            }
        ) -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{% macro discard_staged_sqlite_write() %}
    {#-
        on-run-end: rolls back a SQLite write that was staged and not
        committed in this invocation (the gate failed, or a step before the
        commit did), so the database is exactly as it was. Renders no SQL.
    -#}
    {%- if execute and sqlite_export_enabled() and not what_if_mode() -%}
        {%- do adapter.store_relation(
            'publication', none, [], path_var('sqlite_path'), 'sqlite',
            {'action': 'discard', 'reason': 'the gate or a step before the commit did not pass'}
        ) -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
