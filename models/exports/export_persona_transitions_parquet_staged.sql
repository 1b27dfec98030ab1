{#-
    The rows of the transitions Parquet file after this run (var
    transitions_parquet_path, default persona_transitions.parquet next to
    the assignments' file): the transitions this run recomputed, and the
    previous file's rows of every other (as_of_date, window_days) pair.
    Staged beside the gate the same way as the assignments' file (on DuckDB
    a view its post-hook writes to a staged file; on Spark ephemeral);
    export_persona_transitions_parquet publishes it.
-#}
{{ config(
    materialized=('view' if target.type == 'duckdb' else 'ephemeral'),
) }}
-- depends_on: {{ ref('int_evaluation_plan') }}
-- depends_on: {{ ref('persona_assignments') }}
{% set columns = transition_output_columns() -%}
{%- set recomputed = pairs_condition(transition_pairs()) -%}
{%- set previous = parquet_facts(transitions_parquet_path()) if execute else {'found': false} %}

with

transitions as (

    select
        {{ columns | join(',\n        ') }}

    from {{ ref('persona_transitions') }}
    where {{ recomputed }}

),

{% if previous.found and not previous.readable -%}
    {{ exceptions.raise_compiler_error(
        "The transitions output " ~ transitions_parquet_path() ~ " exists but is not readable Parquet, "
        ~ "so the transitions of dates this run did not evaluate cannot be kept. Move it away "
        ~ "(SQLite holds the same rows) or point var transitions_parquet_path elsewhere, then re-run."
    ) }}
{%- endif %}
{% if previous.found -%}
kept as (

    select
        {{ columns | join(',\n        ') }}

    from {{ previous.relation }}
    where not {{ recomputed }}

),

published as (

    select * from kept
    union all
    select * from transitions

)
{%- else -%}
published as (

    select * from transitions

)
{%- endif %}

select * from published
