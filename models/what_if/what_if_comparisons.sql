{#-
    Every evaluated key under every scenario beside its outcome under the
    current thresholds (scenario 0), with what changed. A view: the change
    matrix and the changed keys read it once each.
-#}

with

outcomes as (

    select * from {{ ref('what_if_outcomes') }}

),

personas as (

    select
        persona_id,
        persona_name

    from {{ ref('personas') }}

),

current_outcomes as (

    select * from outcomes
    where scenario_id = 0

),

compared as (

    select
        candidate.scenario_id,
        candidate.user_id,
        candidate.window_days,
        candidate.as_of_date,
        current_outcome.status as current_status,
        current_outcome.primary_persona_id as current_primary_persona_id,
        current_outcome.secondary_persona_id as current_secondary_persona_id,
        candidate.status as candidate_status,
        candidate.primary_persona_id as candidate_primary_persona_id,
        candidate.secondary_persona_id as candidate_secondary_persona_id,
        coalesce(current_primary.persona_name, 'STABLE') as current_outcome,
        coalesce(candidate_primary.persona_name, 'STABLE') as candidate_outcome,
        candidate.status <> current_outcome.status as is_status_changed,
        coalesce(candidate.primary_persona_id, 0)
        <> coalesce(current_outcome.primary_persona_id, 0) as is_primary_changed,
        coalesce(candidate.secondary_persona_id, 0)
        <> coalesce(current_outcome.secondary_persona_id, 0) as is_secondary_changed

    from outcomes as candidate
    inner join current_outcomes as current_outcome
        on {{ feature_key_join('candidate', 'current_outcome') }}
    left join personas as current_primary
        on current_outcome.primary_persona_id = current_primary.persona_id
    left join personas as candidate_primary
        on candidate.primary_persona_id = candidate_primary.persona_id

)

select * from compared
