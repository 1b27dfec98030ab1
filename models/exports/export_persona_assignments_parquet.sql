-- depends_on: {{ ref('persona_gate_violations') }}
-- depends_on: {{ ref('persona_gate_result') }}
-- depends_on: {{ ref('export_persona_assignments_sqlite') }}

with

assignments as (

    select * from {{ ref('persona_assignments') }}

),

publication as (

    select
        'parquet' as output_format,
        {{ sql_string_literal(path_var('parquet_path')) }} as output_path,
        true as is_enabled,
        count(*) as published_row_count,
        count(distinct as_of_date) as published_as_of_date_count

    from assignments

)

select * from publication
