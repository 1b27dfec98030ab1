with

assignments as (

    select * from {{ ref('rpt_run_assignments') }}

),

coverage as (

    select
        as_of_date,
        window_days,
        count(*) as key_count,
        count(distinct user_id) as user_count,
        count(primary_persona_id) as assigned_count,
        count(*) - count(primary_persona_id) as stable_count,
        count(secondary_persona_id) as with_secondary_count

    from assignments
    group by as_of_date, window_days

)

select * from coverage
