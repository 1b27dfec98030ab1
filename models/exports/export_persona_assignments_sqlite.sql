{#-
    What this run published to SQLite: the write staged beside the gate,
    with the transitions added and committed by the post-hook once the gate
    passed.
-#}
-- depends_on: {{ ref('persona_gate_violations') }}
-- depends_on: {{ ref('persona_transitions') }}
-- depends_on: {{ ref('int_evaluation_plan') }}
-- depends_on: {{ ref('persona_assignments') }}
-- depends_on: {{ ref('persona_gate_result') }}
-- Parquet is staged before anything is published: a file that cannot be
-- written stops the run with SQLite and Parquet as they were.
-- depends_on: {{ ref('export_persona_assignments_parquet_staged') }}
-- depends_on: {{ ref('export_persona_transitions_parquet_staged') }}

with

staged as (

    select
        output_format,
        output_path,
        is_enabled,
        published_row_count,
        published_as_of_date_count

    from {{ ref('export_persona_assignments_sqlite_staged') }}

)

select * from staged
