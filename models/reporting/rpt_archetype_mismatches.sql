with

violations as (

    select * from {{ ref('persona_gate_violations') }}
    where check_name = 'archetype_gets_expected_persona'

),

mismatches as (

    select
        user_id,
        window_days,
        as_of_date,
        detail

    from violations

)

select * from mismatches
