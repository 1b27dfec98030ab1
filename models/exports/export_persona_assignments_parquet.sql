{#-
    Publishes the Parquet output (var parquet_path): the rows of
    export_persona_assignments_parquet_staged, after the gate passed and the
    SQLite export committed (SQLite first, Parquet last). On DuckDB a view
    whose post-hook renames the file staged in this invocation over the old
    one, so a reader sees the old file or the new one; on Spark a table that
    the post-hook writes to the folder.
-#}
{{ config(
    materialized=('view' if target.type == 'duckdb' else 'table'),
) }}
-- depends_on: {{ ref('persona_gate_violations') }}
-- depends_on: {{ ref('persona_gate_result') }}
-- depends_on: {{ ref('export_persona_assignments_sqlite') }}
{% set columns = parquet_output_columns() %}

with

staged as (

    select * from {{ ref('export_persona_assignments_parquet_staged') }}

)

select
    {{ columns | join(',\n    ') }}

from staged
