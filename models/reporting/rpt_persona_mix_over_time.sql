{#-
    Report: the persona mix of every stored as_of_date and window (the share
    of keys per primary outcome, and its shift from the previous stored
    date), with whether this run evaluated the date, which is what the
    drift check of the gate compares.
-#}

with

persona_mix as (

    select * from {{ ref('int_persona_mix_by_date') }}

),

final as (

    select
        as_of_date,
        window_days,
        persona_id,
        outcome,
        key_count,
        outcome_key_count,
        outcome_share,
        previous_as_of_date,
        previous_key_count,
        previous_outcome_share,
        share_shift,
        is_evaluated

    from persona_mix

)

select * from final
