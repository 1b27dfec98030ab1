{#-
    One row per assignment key with every persona's outcome side by side:
    the key's missing signals, which persona holds each rank (from the
    window-function ranking) and, for each persona n, its severity, its
    reasoning and its finished trace entry. persona_assignments picks the
    primary and secondary persona from it and splices the trace.
-#}
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

-- Only the ids are aggregated per rank; everything else is a persona model's column.
persona_ids_by_rank as (

    select
        user_id,
        window_days,
        as_of_date,
        {% for rank in range(1, persona_models | length + 1) %}
        max(case when persona_rank = {{ rank }} then persona_id end) as rank_{{ rank }}_persona_id
        {%- if not loop.last %},{% endif %}
        {% endfor %}

    from ranked_personas
    group by user_id, window_days, as_of_date

),

pivoted as (

    select
        signals.user_id,
        signals.window_days,
        signals.as_of_date,
        signals.missing_signals,
        {% for rank in range(1, persona_models | length + 1) %}
        persona_ids_by_rank.rank_{{ rank }}_persona_id,
        {% endfor %}
        {% for persona_index in range(1, persona_models | length + 1) %}
        persona_{{ persona_index }}.persona_{{ persona_index }}_severity,
        persona_{{ persona_index }}.persona_{{ persona_index }}_reasoning,
        persona_{{ persona_index }}.persona_{{ persona_index }}_evaluation_json
        {%- if not loop.last %},{% endif %}
        {% endfor %}

    from signals
    left join persona_ids_by_rank
        on {{ feature_key_join('signals', 'persona_ids_by_rank') }}
    {%- for persona_index in range(1, persona_models | length + 1) %}
    left join persona_{{ persona_index }}
        on {{ feature_key_join('signals', 'persona_' ~ persona_index) }}
    {%- endfor %}

)

select * from pivoted
