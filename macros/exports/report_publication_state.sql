{% macro report_publication_state(results) %}
    {#-
        on-run-end: say plainly what was published (a what-if: nothing). When the SQLite export
        succeeded but a Parquet export (assignments, then transitions) then
        failed, the outputs disagree: fail the run saying that SQLite is
        newer than Parquet, naming the file.
    -#}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- if what_if_mode() -%}
        {%- set finished = results | selectattr('node.name', 'equalto', 'what_if_changed_keys')
            | selectattr('status', 'equalto', 'success') | list -%}
        {%- if finished -%}
            {{ log("What-if: nothing published. The changed keys are in "
                ~ what_if_changed_keys_path() ~ " and the what-if models in schema "
                ~ finished[0].node.schema ~ ".", info=true) }}
        {%- endif -%}
        {{ return('') }}
    {%- endif -%}
    {%- set statuses = {} -%}
    {%- set messages = {} -%}
    {%- for result in results -%}
        {%- if result.node.name in [
            'export_persona_assignments_sqlite_staged', 'export_persona_assignments_sqlite',
            'export_persona_assignments_parquet_staged', 'export_persona_assignments_parquet',
            'export_persona_transitions_parquet_staged', 'export_persona_transitions_parquet',
        ] -%}
            {%- do statuses.update({result.node.name: result.status | string}) -%}
            {%- do messages.update({result.node.name: result.message}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set sqlite_status = statuses.get('export_persona_assignments_sqlite') -%}
    {%- set sqlite_message = messages.get('export_persona_assignments_sqlite') -%}
    {#- A write that failed while it was staged is the SQLite export's failure. -#}
    {%- if statuses.get('export_persona_assignments_sqlite_staged') == 'error' -%}
        {%- set sqlite_status = 'error' -%}
        {%- set sqlite_message = messages.get('export_persona_assignments_sqlite_staged') -%}
    {%- endif -%}
    {#- How many pairs the run evaluated (int_evaluation_plan, read as a relation: no ref() in a hook). -#}
    {%- set plan = adapter.get_relation(
        database=target.database, schema=target.schema, identifier='int_evaluation_plan'
    ) -%}
    {%- set evaluated_count = run_query(
        'select count(*) from ' ~ plan ~ ' where is_evaluated'
    ).rows[0][0] if plan is not none and sqlite_status == 'success' else none -%}
    {#- Parquet is published when both files are: the first that did not succeed decides. -#}
    {%- set parquet_files = [
        ('export_persona_assignments_parquet', var('parquet_path')),
        ('export_persona_transitions_parquet', transitions_parquet_path()),
    ] -%}
    {%- set failed_parquet = [] -%}
    {%- for name, path in parquet_files if statuses.get(name) != 'success' -%}
        {%- do failed_parquet.append((name, path)) -%}
    {%- endfor -%}
    {%- set parquet_status = statuses.get(failed_parquet[0][0]) if failed_parquet else 'success' -%}
    {#- A Parquet file that could not be staged stops the run before anything is published. -#}
    {%- set failed_staging = [] -%}
    {%- for name, path in parquet_files if statuses.get(name ~ '_staged') == 'error' -%}
        {%- do failed_staging.append((name ~ '_staged', path)) -%}
    {%- endfor -%}
    {%- if failed_staging and sqlite_status != 'success' -%}
        {{ exceptions.raise_compiler_error(
            "Not published: writing " ~ failed_staging[0][1] ~ " failed before anything was "
            ~ "published, so the SQLite database " ~ var('sqlite_path') ~ " and the Parquet files "
            ~ "are as they were. " ~ publication_failure_hint(messages.get(failed_staging[0][0]))
        ) }}
    {%- elif sqlite_status == 'success' and parquet_status not in [none, 'success'] -%}
        {{ exceptions.raise_compiler_error(
            "SQLite is newer than Parquet: the SQLite database " ~ var('sqlite_path')
            ~ " was committed with this run's assignments, but writing " ~ failed_parquet[0][1]
            ~ " failed, so that Parquet file still holds the previous run. "
            ~ publication_failure_hint(messages.get(failed_parquet[0][0]))
            ~ " Re-running is safe: the SQLite write replaces the same rows."
        ) }}
    {%- elif sqlite_status == 'success' and parquet_status == 'success' and evaluated_count == 0 -%}
        {{ log("Up to date: every as_of_date of the inputs was already published from the same "
            ~ "files; nothing was evaluated or rewritten. A changed file is evaluated again; "
            ~ "--vars '{as_of_date: YYYY-MM-DD}' re-evaluates one date, --full-refresh every date.",
            info=true) }}
    {%- elif sqlite_status == 'success' and parquet_status == 'success' and not sqlite_export_enabled() -%}
        {{ log("Published: Parquet " ~ var('parquet_path') ~ " and " ~ transitions_parquet_path()
            ~ " (SQLite export skipped).", info=true) }}
    {%- elif sqlite_status == 'success' and parquet_status == 'success' -%}
        {{ log("Published: SQLite " ~ var('sqlite_path') ~ " and Parquet " ~ var('parquet_path')
            ~ " and " ~ transitions_parquet_path() ~ ".", info=true) }}
    {%- elif sqlite_status == 'error'
        and 'publication refused' not in (sqlite_message or '') | lower -%}
        {{ exceptions.raise_compiler_error(
            "Not published: the SQLite export failed and rolled back, so the SQLite database "
            ~ var('sqlite_path') ~ " and the Parquet file " ~ var('parquet_path')
            ~ " are as they were. " ~ publication_failure_hint(sqlite_message)
        ) }}
    {%- elif statuses and (sqlite_status != 'success' or parquet_status != 'success') -%}
        {{ log("Not published: the exports did not run (see the failures or skips above); "
            ~ "the previous SQLite and Parquet outputs are unchanged.", info=true) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
