{%- set persona_models = persona_model_names() -%}

with

signals as (

    select
        user_id,
        window_days,
        as_of_date,
        missing_signals

    from {{ ref('int_feature_signals') }}

),

ranked_personas as (

    select
        user_id,
        window_days,
        as_of_date,
        persona_id,
        persona_rank

    from {{ ref('int_persona_evaluations_ranked') }}

),

personas as (

    select * from {{ ref('personas') }}

),

{% for persona_model in persona_models -%}
persona_{{ loop.index }} as (

    select
        user_id,
        window_days,
        as_of_date,
        severity as persona_{{ loop.index }}_severity,
        reasoning as persona_{{ loop.index }}_reasoning,
        evaluation_json as persona_{{ loop.index }}_evaluation_json

    from {{ ref(persona_model) }}

),

{% endfor -%}

-- The ranking, one row per key: which persona holds each rank. Only ids are
-- aggregated; names, severities and reasoning are looked up afterwards.
persona_ids_by_rank as (

    select
        user_id,
        window_days,
        as_of_date,
        max(case when persona_rank = 1 then persona_id end) as rank_1_persona_id,
        max(case when persona_rank = 2 then persona_id end) as rank_2_persona_id,
        max(case when persona_rank = 3 then persona_id end) as rank_3_persona_id,
        max(case when persona_rank = 4 then persona_id end) as rank_4_persona_id,
        max(case when persona_rank = 5 then persona_id end) as rank_5_persona_id

    from ranked_personas
    group by user_id, window_days, as_of_date

),

assembled as (

    select
        signals.user_id,
        signals.window_days,
        signals.as_of_date,
        signals.missing_signals,
        persona_ids_by_rank.rank_1_persona_id as primary_persona_id,
        persona_ids_by_rank.rank_2_persona_id as secondary_persona_id,
        persona_1.persona_1_severity,
        persona_1.persona_1_reasoning,
        persona_1.persona_1_evaluation_json,
        persona_2.persona_2_severity,
        persona_2.persona_2_reasoning,
        persona_2.persona_2_evaluation_json,
        persona_3.persona_3_severity,
        persona_3.persona_3_reasoning,
        persona_3.persona_3_evaluation_json,
        persona_4.persona_4_severity,
        persona_4.persona_4_reasoning,
        persona_4.persona_4_evaluation_json,
        persona_5.persona_5_severity,
        persona_5.persona_5_reasoning,
        persona_5.persona_5_evaluation_json,
        {{ array_without_nulls([
            'persona_ids_by_rank.rank_1_persona_id',
            'persona_ids_by_rank.rank_2_persona_id',
            'persona_ids_by_rank.rank_3_persona_id',
            'persona_ids_by_rank.rank_4_persona_id',
            'persona_ids_by_rank.rank_5_persona_id',
        ]) }} as ranked_persona_ids

    from signals
    left join persona_ids_by_rank
        on {{ feature_key_join('signals', 'persona_ids_by_rank') }}
    {%- for persona_index in range(1, persona_models | length + 1) %}
    left join persona_{{ persona_index }}
        on {{ feature_key_join('signals', 'persona_' ~ persona_index) }}
    {%- endfor %}

),

chosen as (

    select
        assembled.*,
        primary_persona.persona_name as primary_persona_name,
        primary_persona.priority as primary_priority,
        secondary_persona.persona_name as secondary_persona_name,
        secondary_persona.priority as secondary_priority,
        {{ persona_column_for('assembled.primary_persona_id', 'severity') }} as primary_severity,
        {{ persona_column_for('assembled.secondary_persona_id', 'severity') }} as secondary_severity,
        coalesce(
            {{ persona_column_for('assembled.primary_persona_id', 'reasoning') }},
            'No persona matched: every persona rule failed for this window, so the user is STABLE.'
        ) as primary_reasoning,
        {{ persona_column_for('assembled.secondary_persona_id', 'reasoning') }} as secondary_reasoning,
        case when assembled.primary_persona_id is null then 'STABLE' else 'ASSIGNED' end as status

    from assembled
    left join personas as primary_persona
        on assembled.primary_persona_id = primary_persona.persona_id
    left join personas as secondary_persona
        on assembled.secondary_persona_id = secondary_persona.persona_id

),

final as (

    select
        'assign_' || user_id || '_' || cast(window_days as string) || 'd_'
        || cast(as_of_date as string) as assignment_id,
        user_id,
        window_days,
        as_of_date,
        primary_persona_id,
        primary_persona_name,
        primary_priority,
        primary_severity,
        secondary_persona_id,
        secondary_persona_name,
        secondary_priority,
        secondary_severity,
        status,
        {{ assignment_trace() }} as assignment_trace,
        cast({{ sql_string_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S')) }} as timestamp)
            as computed_at

    from chosen

)

select * from final
