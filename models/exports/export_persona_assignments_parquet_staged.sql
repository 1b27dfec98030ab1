{#-
    The rows the Parquet output holds after this run: this run's
    assignments without the trace, and the rows of the previous output whose
    (as_of_date, window_days) pair this run did not evaluate (a run with
    windows: [30] keeps the 180-day rows). It does not wait for the gate: on
    DuckDB the model is a view and its post-hook writes it, in one COPY, to
    a staged file next to var parquet_path, beside the gate and the SQLite
    write (dbt-duckdb's `external` materialization writes a table first,
    then the file, which costs twice as much at a long history;
    docs/decisions.md). export_persona_assignments_parquet publishes it. On
    Spark it is ephemeral: the published model is the table Spark writes.
    On DuckDB the view gives its rows in the file's order, (as_of_date,
    user_id, window_days): when every date this run evaluated is later than
    the previous output's last date (the daily run), that is the previous
    file's rows as they are followed by this run's rows sorted, and the
    16M rows of eight dates need no sort (the COPY takes 7.0 s instead of
    9.3); otherwise the view sorts them all. DuckDB keeps a scan's order
    through WHERE and UNION ALL (its documented order preservation) and
    runs the CTE's ORDER BY where it stands (not a documented promise;
    tests/python/test_history.py checks it at 2M rows on two threads).
-#}
{{ config(
    materialized=('view' if target.type == 'duckdb' else 'ephemeral'),
) }}
-- depends_on: {{ ref('int_evaluation_plan') }}
{% set columns = parquet_output_columns() -%}
{%- set pairs = evaluated_pairs() -%}
{%- set evaluated = pairs_condition(pairs) -%}
{%- set previous = parquet_facts(path_var('parquet_path')) if execute else {'found': false} -%}
{%- set file_order = 'as_of_date, user_id, window_days' -%}
{%- set in_file_order = target.type == 'duckdb' -%}
{#- Appended: every date this run evaluates is later than the previous output's last date. -#}
{%- set appended = in_file_order and (not pairs or not previous.found) -%}
{%- if in_file_order and pairs and previous.readable -%}
    {%- set last_date = run_query(
        'select cast(max(as_of_date) as string) from ' ~ previous.relation
    ).columns[0].values()[0] -%}
    {%- set appended = last_date is none or (pairs | map(attribute=0) | min) > last_date -%}
{%- endif %}

with

assignments as (

    select
        {{ columns | join(',\n        ') }}

    from {{ ref('persona_assignments') }}
    where {{ evaluated }}
    {%- if appended %}
    order by {{ file_order }}
    {%- endif %}

),

{% if previous.found -%}
{%- if not previous.readable -%}
    {{ exceptions.raise_compiler_error(
        "The Parquet output " ~ path_var('parquet_path') ~ " exists but is not readable Parquet, so "
        ~ "the rows of dates and windows this run did not evaluate cannot be kept. Move it away "
        ~ "(SQLite holds the same rows) or point var parquet_path elsewhere, then re-run."
    ) }}
{%- endif -%}
{#- an output written before a column existed (ruleset_version) gets it as null -#}
{%- set previous_columns = [] -%}
{%- for column in columns -%}
    {%- do previous_columns.append(
        column if column in previous.columns else 'cast(null as string) as ' ~ column
    ) -%}
{%- endfor %}
previous_output as (

    select
        {{ previous_columns | join(',\n        ') }}

    from {{ previous.relation }}

),

kept as (

    select * from previous_output
    where not {{ evaluated }}

),

published as (

    select * from kept
    union all
    select * from assignments

)
{%- else -%}
published as (

    select * from assignments

)
{%- endif %}

select * from published
{%- if in_file_order and not appended %}
order by {{ file_order }}
{%- endif %}
