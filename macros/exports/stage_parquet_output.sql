{% macro staged_parquet_path(path) %}
    {#-
        Where this invocation stages the Parquet output `path` before the
        gate lets it through: a hidden file in the same folder (so the
        rename that publishes it is atomic), named with the invocation id (so
        only this invocation's file can be published).
    -#}
    {%- set folder, name = path.rsplit('/', 1) if '/' in path else ('.', path) -%}
    {{ return(folder ~ '/.' ~ name ~ '.' ~ invocation_id ~ '.staged') }}
{% endmacro %}

{% macro stage_parquet_output(staged, path, order_by='as_of_date, user_id, window_days') %}
    {#-
        Post-hook of the _staged Parquet export models: writes `staged` (the
        rows the file at `path` holds after this run) to this invocation's
        staged file, in `order_by` order (none: in the order `staged` gives
        them, which export_persona_assignments_parquet_staged makes the
        file's order without sorting the previous rows again). It runs
        beside the gate; publish_parquet_output renames it over `path` after
        the gate passed and SQLite was committed, discard_staged_parquet_outputs
        removes it otherwise.
    -#}
    {{- return(adapter.dispatch('stage_parquet_output', 'spendsense_personas')(staged, path, order_by)) -}}
{% endmacro %}

{% macro default__stage_parquet_output(staged, path, order_by) %}
    {#- Spark: nothing to stage; the published model (a table) is written at publication. -#}
    {{- return('') -}}
{% endmacro %}

{% macro duckdb__stage_parquet_output(staged, path, order_by) -%}
    copy (
        select * from {{ staged }}
        {%- if order_by %}
        order by {{ order_by }}
        {%- endif %}
    ) to {{ sql_string_literal(staged_parquet_path(path)) }} (format parquet)
{%- endmacro %}

{% macro publish_parquet_output(published, path, order_by='as_of_date, user_id, window_days') %}
    {#-
        Post-hook of the Parquet export models, after the gate passed (the
        pre-hook re-checks it) and SQLite was committed: publishes the file
        at `path`. DuckDB renames this invocation's staged file over it, so a
        reader sees the old file or the new one, and refuses when this
        invocation staged none. Spark writes the model (a table) there.
    -#}
    {{- return(adapter.dispatch('publish_parquet_output', 'spendsense_personas')(published, path, order_by)) -}}
{% endmacro %}

{% macro default__publish_parquet_output(published, path, order_by) %}
    {{- return(publish_assignments_to_parquet(published, path, order_by)) -}}
{% endmacro %}

{% macro duckdb__publish_parquet_output(published, path, order_by) -%}
    select publish_staged_file({{ sql_string_literal(staged_parquet_path(path)) }}, {{ sql_string_literal(path) }})
{%- endmacro %}

{% macro discard_staged_parquet_outputs() %}
    {#-
        on-run-end: removes the staged Parquet files that were not published
        (the gate failed, or a step before publication did), and those a
        killed run left behind, so the output folders hold the published
        files only.
    -#}
    {{- return(adapter.dispatch('discard_staged_parquet_outputs', 'spendsense_personas')()) -}}
{% endmacro %}

{% macro default__discard_staged_parquet_outputs() %}
    {{- return('') -}}
{% endmacro %}

{% macro duckdb__discard_staged_parquet_outputs() -%}
    {%- if execute and not what_if_mode() -%}
        select
            discard_staged_files({{ sql_string_literal(path_var('parquet_path')) }}),
            discard_staged_files({{ sql_string_literal(transitions_parquet_path()) }})
    {%- endif -%}
{%- endmacro %}
