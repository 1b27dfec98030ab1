{#-
    Publishes the transitions Parquet file (var transitions_parquet_path):
    the rows of export_persona_transitions_parquet_staged, after the
    assignments' file, behind the same gate, the same way.
-#}
{{ config(
    materialized=('view' if target.type == 'duckdb' else 'table'),
) }}
-- depends_on: {{ ref('persona_gate_result') }}
-- depends_on: {{ ref('export_persona_assignments_parquet') }}
{% set columns = transition_output_columns() %}

with

staged as (

    select * from {{ ref('export_persona_transitions_parquet_staged') }}

)

select
    {{ columns | join(',\n    ') }}

from staged
