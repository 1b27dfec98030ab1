{#-
    One row per stored key and candidate scenario whose outcome would
    change (status, primary or secondary persona), with the current and the
    candidate outcome, the candidate's ruleset version and its var values
    (scenario). Written to what_if_dir/changed_keys.parquet by the post-hook.
-#}

with

comparisons as (

    select * from {{ ref('what_if_comparisons') }}
    where is_status_changed or is_primary_changed or is_secondary_changed

),

scenarios as (

    select
        scenario_id,
        scenario,
        ruleset_version

    from {{ ref('int_rule_scenarios') }}

),

changed as (

    select
        comparisons.user_id,
        comparisons.window_days,
        comparisons.as_of_date,
        comparisons.current_status,
        comparisons.current_primary_persona_id,
        comparisons.current_secondary_persona_id,
        comparisons.candidate_status,
        comparisons.candidate_primary_persona_id,
        comparisons.candidate_secondary_persona_id,
        scenarios.ruleset_version,
        scenarios.scenario,
        comparisons.scenario_id

    from comparisons
    inner join scenarios
        on comparisons.scenario_id = scenarios.scenario_id

)

select * from changed
