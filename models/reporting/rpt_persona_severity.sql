{#-
    How strongly each persona applies where it matched, per as_of_date and
    window: the severity's minimum, quartiles, median and maximum among the
    matched keys (the report draws them as a box per persona).
-#}

with

ranked as (

    select * from {{ ref('int_persona_evaluations_ranked') }}

),

distribution as (

    select
        as_of_date,
        window_days,
        persona_id,
        count(*) as matched_count,
        min(severity) as min_severity,
        percentile_cont(0.25) within group (order by severity) as p25_severity,
        percentile_cont(0.5) within group (order by severity) as median_severity,
        percentile_cont(0.75) within group (order by severity) as p75_severity,
        max(severity) as max_severity

    from ranked
    group by as_of_date, window_days, persona_id

)

select * from distribution
