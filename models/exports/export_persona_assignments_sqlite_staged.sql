{#-
    What this run writes to SQLite: the rows of the pairs it evaluated. Its
    post-hook writes them inside a SQLite transaction that it leaves open;
    it runs beside the gate, which does not wait for it, and
    export_persona_assignments_sqlite adds the transitions and commits it
    once the gate passed.
-#}
-- depends_on: {{ ref('int_evaluation_plan') }}

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
