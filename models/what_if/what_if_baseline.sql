{#-
    One row: how the what-if's baseline (scenario 0, the current thresholds
    on the current feature files) compares with the assignments stored in
    the warehouse. differing_key_count above 0 means the inputs or the rules
    changed since those keys were published: the what-if compares candidates
    with what `dbt build` would publish now, not with the stored rows.
-#}
{%- set stored = stored_assignments() if execute else none %}

with

current_outcomes as (

    select * from {{ ref('what_if_outcomes') }}
    where scenario_id = 0

),

scenarios as (

    select ruleset_version from {{ ref('int_rule_scenarios') }}
    where scenario_id = 0

),

stored as (

    {% if stored is not none -%}
    select
        user_id,
        window_days,
        as_of_date,
        status,
        primary_persona_id,
        secondary_persona_id,
        ruleset_version

    from {{ stored }}
    {%- else -%}
    select
        cast(null as string) as user_id,
        cast(null as integer) as window_days,
        cast(null as date) as as_of_date,
        cast(null as string) as status,
        cast(null as integer) as primary_persona_id,
        cast(null as integer) as secondary_persona_id,
        cast(null as string) as ruleset_version

    where false
    {%- endif %}

),

compared as (

    select
        stored.ruleset_version as stored_ruleset_version,
        current_outcomes.user_id is null
        or stored.status <> current_outcomes.status
        or coalesce(stored.primary_persona_id, 0) <> coalesce(current_outcomes.primary_persona_id, 0)
        or coalesce(stored.secondary_persona_id, 0)
        <> coalesce(current_outcomes.secondary_persona_id, 0) as is_different

    from stored
    left join current_outcomes
        on {{ feature_key_join('stored', 'current_outcomes') }}

),

baseline as (

    select
        count(*) as stored_key_count,
        count(case when compared.is_different then 1 end) as differing_key_count,
        count(
            case when compared.stored_ruleset_version <> scenarios.ruleset_version then 1 end
        ) as other_ruleset_key_count,
        max(scenarios.ruleset_version) as current_ruleset_version

    from compared
    cross join scenarios

)

select * from baseline
