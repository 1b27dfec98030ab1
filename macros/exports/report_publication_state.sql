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
    {%- for result in results -%}
        {%- if result.node.name in ['export_persona_assignments_sqlite', 'export_persona_assignments_parquet'] -%}
            {%- do statuses.update({result.node.name: result.status | string}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set sqlite_status = statuses.get('export_persona_assignments_sqlite') -%}
    {%- set parquet_status = statuses.get('export_persona_assignments_parquet') -%}
    {%- if sqlite_status == 'success' and parquet_status not in [none, 'success'] -%}
        {{ exceptions.raise_compiler_error(
            "SQLite is newer than Parquet: the SQLite database " ~ var('sqlite_path')
            ~ " was committed with this run's assignments, but writing " ~ var('parquet_path')
            ~ " failed, so the Parquet file still holds the previous run. "
            ~ "Fix the cause above and re-run; the SQLite write is idempotent."
        ) }}
    {%- elif sqlite_status == 'success' and parquet_status == 'success' -%}
        {{ log("Published: SQLite " ~ var('sqlite_path') ~ " and Parquet " ~ var('parquet_path') ~ ".", info=true) }}
    {%- elif statuses and (sqlite_status != 'success' or parquet_status != 'success') -%}
        {{ log("Not published: the exports did not run to completion (see the errors or skips above); "
            ~ "the previous SQLite and Parquet outputs are unchanged.", info=true) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
