{#-
    Report: for the latest stored as_of_date of each window, how the keys'
    primary outcome moved from the previous stored date: keys by previous
    outcome and new outcome, unchanged keys included (the diagonal).
-#}

with

-- Read where it is used (the latest and the previous date), not copied whole first.
assignments as {{ cte_not_materialized() }} (

    select * from {{ ref('persona_assignments') }}

),

stored_dates as (

    select distinct
        as_of_date,
        window_days

    from assignments

),

latest_dates as (

    select
        window_days,
        max(as_of_date) as as_of_date

    from stored_dates
    group by window_days

),

compared_dates as (

    select
        latest_dates.window_days,
        latest_dates.as_of_date,
        max(stored_dates.as_of_date) as previous_as_of_date

    from latest_dates
    inner join stored_dates
        on
            latest_dates.window_days = stored_dates.window_days
            and latest_dates.as_of_date > stored_dates.as_of_date
    group by latest_dates.window_days, latest_dates.as_of_date

),

latest as (

    select
        compared_dates.window_days,
        compared_dates.as_of_date,
        compared_dates.previous_as_of_date,
        assignments.user_id,
        coalesce(assignments.primary_persona_name, 'STABLE') as outcome

    from compared_dates
    inner join assignments
        on
            compared_dates.window_days = assignments.window_days
            and compared_dates.as_of_date = assignments.as_of_date

),

previous as (

    select
        compared_dates.window_days,
        assignments.user_id,
        coalesce(assignments.primary_persona_name, 'STABLE') as outcome

    from compared_dates
    inner join assignments
        on
            compared_dates.window_days = assignments.window_days
            and compared_dates.previous_as_of_date = assignments.as_of_date

),

transitions as (

    select
        latest.as_of_date,
        latest.window_days,
        latest.previous_as_of_date,
        previous.outcome as previous_outcome,
        latest.outcome,
        count(*) as key_count

    from latest
    inner join previous
        on
            latest.window_days = previous.window_days
            and latest.user_id = previous.user_id
    group by
        latest.as_of_date,
        latest.window_days,
        latest.previous_as_of_date,
        previous.outcome,
        latest.outcome

)

select * from transitions
