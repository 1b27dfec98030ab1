{#-
    The gate's verdict for this dbt invocation: how many violations
    persona_gate_violations holds and which invocation evaluated it. The
    export models read it before writing and refuse unless it was evaluated
    in their own invocation and found nothing, so no command (dbt run, a
    selection without tests) can publish on a stale or failed verdict.
-#}

with

violations as (

    select * from {{ ref('persona_gate_violations') }}

),

verdict as (

    select
        {{ sql_string_literal(invocation_id) }} as invocation_id,
        cast({{ sql_string_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S')) }} as timestamp)
            as evaluated_at,
        count(*) as violation_count,
        count(distinct check_name) as failed_check_count

    from violations

)

select * from verdict
