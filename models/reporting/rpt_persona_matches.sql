{#-
    How often each persona rule matched, per as_of_date and window: as the
    primary persona, as the secondary, and further down the ranking (matched
    but not shown). Every persona appears, with zeros when it never matched.
-#}

with

keys as (

    select
        as_of_date,
        window_days,
        count(*) as key_count

    from {{ ref('rpt_run_assignments') }}
    group by as_of_date, window_days

),

personas as (

    select * from {{ ref('personas') }}

),

ranked as (

    select * from {{ ref('int_persona_evaluations_ranked') }}

),

matches as (

    select
        as_of_date,
        window_days,
        persona_id,
        count(*) as matched_count,
        count(case when persona_rank = 1 then 1 end) as primary_count,
        count(case when persona_rank = 2 then 1 end) as secondary_count,
        count(case when persona_rank > 2 then 1 end) as not_in_top_two_count

    from ranked
    group by as_of_date, window_days, persona_id

),

final as (

    select
        keys.as_of_date,
        keys.window_days,
        personas.persona_id,
        personas.persona_name,
        personas.priority,
        keys.key_count,
        coalesce(matches.matched_count, 0) as matched_count,
        coalesce(matches.primary_count, 0) as primary_count,
        coalesce(matches.secondary_count, 0) as secondary_count,
        coalesce(matches.not_in_top_two_count, 0) as not_in_top_two_count

    from keys
    cross join personas
    left join matches
        on
            keys.as_of_date = matches.as_of_date
            and keys.window_days = matches.window_days
            and personas.persona_id = matches.persona_id

)

select * from final
