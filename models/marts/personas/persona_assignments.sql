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

    select * from {{ ref('int_persona_evaluations_ranked') }}

),

{% for persona_model in [
    'int_persona_1_high_utilization',
    'int_persona_2_variable_income_budgeter',
    'int_persona_3_subscription_heavy',
    'int_persona_4_savings_builder',
    'int_persona_5_cash_flow_stressed',
] -%}
persona_{{ loop.index }}_evaluations as (

    select
        user_id,
        window_days,
        as_of_date,
        evaluation as persona_{{ loop.index }}_evaluation

    from {{ ref(persona_model) }}

),

{% endfor -%}

chosen_personas as (

    select
        user_id,
        window_days,
        as_of_date,
        {%- for slot, rank in [('primary', 1), ('secondary', 2)] %}
        max(case when persona_rank = {{ rank }} then persona_id end) as {{ slot }}_persona_id,
        max(case when persona_rank = {{ rank }} then persona_name end) as {{ slot }}_persona_name,
        max(case when persona_rank = {{ rank }} then priority end) as {{ slot }}_priority,
        max(case when persona_rank = {{ rank }} then severity end) as {{ slot }}_severity,
        max(case when persona_rank = {{ rank }} then reasoning end) as {{ slot }}_reasoning,
        {%- endfor %}
        {{ ordered_array_agg('persona_id', 'persona_rank') }} as ranked_persona_ids

    from ranked_personas
    group by user_id, window_days, as_of_date

),

assembled as (

    select
        signals.user_id,
        signals.window_days,
        signals.as_of_date,
        signals.missing_signals,
        chosen_personas.primary_persona_id,
        chosen_personas.primary_persona_name,
        chosen_personas.primary_priority,
        chosen_personas.primary_severity,
        chosen_personas.secondary_persona_id,
        chosen_personas.secondary_persona_name,
        chosen_personas.secondary_priority,
        chosen_personas.secondary_severity,
        case
            when chosen_personas.primary_persona_id is null then 'STABLE' else 'ASSIGNED'
        end as status,
        coalesce(
            chosen_personas.primary_reasoning,
            'No persona matched: every persona rule failed for this window, so the user is STABLE.'
        ) as primary_reasoning,
        chosen_personas.secondary_reasoning,
        coalesce(chosen_personas.ranked_persona_ids, {{ empty_array('integer') }})
            as ranked_persona_ids,
        persona_1_evaluations.persona_1_evaluation,
        persona_2_evaluations.persona_2_evaluation,
        persona_3_evaluations.persona_3_evaluation,
        persona_4_evaluations.persona_4_evaluation,
        persona_5_evaluations.persona_5_evaluation

    from signals
    left join chosen_personas
        on {{ feature_key_join('signals', 'chosen_personas') }}
    {%- for persona_index in range(1, 6) %}
    left join persona_{{ persona_index }}_evaluations
        on {{ feature_key_join('signals', 'persona_' ~ persona_index ~ '_evaluations') }}
    {%- endfor %}

),

final as (

    select
        'assign_' || user_id || '_' || cast(window_days as varchar) || 'd_'
        || cast(as_of_date as varchar) as assignment_id,
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

    from assembled

)

select * from final
