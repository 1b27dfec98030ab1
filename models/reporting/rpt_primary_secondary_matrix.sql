{#-
    Which personas come together, per as_of_date and window: keys by primary
    outcome (a persona, or STABLE) and secondary outcome (a persona, or none).
-#}

with

assignments as (

    select * from {{ ref('rpt_run_assignments') }}

),

matrix as (

    select
        as_of_date,
        window_days,
        primary_persona_id,
        secondary_persona_id,
        coalesce(primary_persona_name, 'STABLE') as primary_outcome,
        coalesce(secondary_persona_name, 'none') as secondary_outcome,
        count(*) as key_count

    from assignments
    group by
        as_of_date,
        window_days,
        primary_persona_id,
        secondary_persona_id,
        coalesce(primary_persona_name, 'STABLE'),
        coalesce(secondary_persona_name, 'none')

)

select * from matrix
