with

assignments as (

    select * from {{ ref('persona_assignments') }}

),

per_user as (

    select
        user_id,
        as_of_date,
        count(distinct coalesce(primary_persona_id, 0)) as distinct_primary_count,
        {{ ordered_string_agg(
            "cast(window_days as string) || 'd: ' || coalesce(primary_persona_name, 'STABLE')",
            "'; '",
            'window_days',
        ) }} as primary_by_window

    from assignments
    group by user_id, as_of_date

),

disagreements as (

    select
        user_id,
        as_of_date,
        primary_by_window

    from per_user
    where distinct_primary_count > 1

)

select * from disagreements
