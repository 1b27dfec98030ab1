-- depends_on: {{ ref('persona_gate_violations') }}
-- depends_on: {{ ref('persona_gate_result') }}
-- depends_on: {{ ref('int_evaluation_plan') }}
-- depends_on: {{ ref('persona_transitions') }}
{# What this run publishes to SQLite: the rows of the pairs it evaluated (its post-hook writes them). -#}

with

assignments as (

    select * from {{ ref('persona_assignments') }}
    where {{ pairs_condition(evaluated_pairs()) }}

),

publication as (

    select
        'sqlite' as output_format,
        {{ sql_string_literal(path_var('sqlite_path')) }} as output_path,
        {{ 'true' if sqlite_export_enabled() else 'false' }} as is_enabled,
        count(*) as published_row_count,
        count(distinct as_of_date) as published_as_of_date_count

    from assignments

)

select * from publication
