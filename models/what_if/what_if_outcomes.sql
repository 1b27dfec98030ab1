{#-
    Every key of the stored dates and windows (as the feature files hold
    them today) with its outcome under every scenario of the run
    (int_rule_scenarios): status, primary and secondary persona, taken from
    the same ranking as production (rank 1 and rank 2 of
    int_persona_evaluations_ranked). Scenario 0 is the current thresholds.
-#}

with

assignment_keys as (

    select
        user_id,
        window_days,
        as_of_date

    from {{ ref('int_feature_signals') }}

),

-- Outside a what-if run (a `dbt build --exclude ...` bypasses the default
-- selector and reaches these models) there is nothing to compare: no rows.
scenarios as (

    select scenario_id from {{ ref('int_rule_scenarios') }}
    where {{ what_if_mode() }}

),

ranked as (

    select * from {{ ref('int_persona_evaluations_ranked') }}
    where persona_rank <= 2

),

chosen as (

    select
        scenario_id,
        user_id,
        window_days,
        as_of_date,
        max(case when persona_rank = 1 then persona_id end) as primary_persona_id,
        max(case when persona_rank = 2 then persona_id end) as secondary_persona_id

    from ranked
    group by scenario_id, user_id, window_days, as_of_date

),

outcomes as (

    select
        scenarios.scenario_id,
        assignment_keys.user_id,
        assignment_keys.window_days,
        assignment_keys.as_of_date,
        {{ assignment_status('chosen.primary_persona_id') }} as status,
        chosen.primary_persona_id,
        chosen.secondary_persona_id

    from assignment_keys
    cross join scenarios
    left join chosen
        on
            scenarios.scenario_id = chosen.scenario_id
            and {{ feature_key_join('assignment_keys', 'chosen') }}

)

select * from outcomes
