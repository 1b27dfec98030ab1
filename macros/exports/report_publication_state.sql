{% macro report_publication_state(results) %}
    {#-
        on-run-end: say plainly what was published. When the SQLite export
        succeeded but the Parquet export then failed, the two outputs
        disagree: fail the run saying that SQLite is newer than Parquet.
    -#}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set statuses = {} -%}
    {%- set messages = {} -%}
    {%- for result in results -%}
        {%- if result.node.name in ['export_persona_assignments_sqlite', 'export_persona_assignments_parquet'] -%}
            {%- do statuses.update({result.node.name: result.status | string}) -%}
            {%- do messages.update({result.node.name: result.message}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set sqlite_status = statuses.get('export_persona_assignments_sqlite') -%}
    {%- set parquet_status = statuses.get('export_persona_assignments_parquet') -%}
    {%- if sqlite_status == 'success' and parquet_status not in [none, 'success'] -%}
        {{ exceptions.raise_compiler_error(
            "SQLite is newer than Parquet: the SQLite database " ~ var('sqlite_path')
            ~ " was committed with this run's assignments, but writing " ~ var('parquet_path')
            ~ " failed, so the Parquet file still holds the previous run. "
            ~ publication_failure_hint(messages.get('export_persona_assignments_parquet'))
            ~ " Re-running is safe: the SQLite write replaces the same rows."
        ) }}
    {%- elif sqlite_status == 'success' and parquet_status == 'success' and not sqlite_export_enabled() -%}
        {{ log("Published: Parquet " ~ var('parquet_path') ~ " (SQLite export skipped).", info=true) }}
    {%- elif sqlite_status == 'success' and parquet_status == 'success' -%}
        {{ log("Published: SQLite " ~ var('sqlite_path') ~ " and Parquet " ~ var('parquet_path') ~ ".", info=true) }}
    {%- elif sqlite_status == 'error'
        and 'publication refused' not in (messages.get('export_persona_assignments_sqlite') or '') | lower -%}
        {{ exceptions.raise_compiler_error(
            "Not published: the SQLite export failed and rolled back, so the SQLite database "
            ~ var('sqlite_path') ~ " and the Parquet file " ~ var('parquet_path')
            ~ " are as they were. " ~ publication_failure_hint(messages.get('export_persona_assignments_sqlite'))
        ) }}
    {%- elif statuses and (sqlite_status != 'success' or parquet_status != 'success') -%}
        {{ log("Not published: the exports did not run (see the failures or skips above); "
            ~ "the previous SQLite and Parquet outputs are unchanged.", info=true) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
