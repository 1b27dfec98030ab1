{#-
    The published result, every evaluated date kept: an incremental table
    that each run extends with the (as_of_date, window_days) pairs it
    evaluates (int_evaluation_plan), replacing those pairs' rows and keeping
    every other pair's (the pre-hook deletes them first). On engines without
    DELETE on their tables (Spark's Parquet tables) it is rebuilt, and every
    run evaluates every pair.
-#}
{{ config(
    materialized=('incremental' if history_is_incremental() else 'table'),
    incremental_strategy='append',
    incremental_rows_as_view=true,
    on_schema_change='fail',
    pre_hook=["{{ delete_pairs(evaluated_pairs()) }}"],
) }}
-- depends_on: {{ ref('int_evaluation_plan') }}
{% set persona_ids = range(1, persona_model_names() | length + 1) -%}
{%- set ranked_ids -%}
{%- for rank in persona_ids -%}
evaluations.rank_{{ rank }}_persona_id{{ ", " if not loop.last }}
{%- endfor -%}
{%- endset -%}

with

evaluations as (

    select * from {{ ref('int_persona_evaluations_pivoted') }}

),

personas as (

    select * from {{ ref('personas') }}

),

ruleset as (

    select ruleset_version from {{ ref('persona_ruleset') }}

),

-- Rank 1 is the primary persona, rank 2 the secondary; names and priorities
-- come from the seed, severity and reasoning from the persona's own columns.
chosen as (

    select
        evaluations.*,
        evaluations.rank_1_persona_id as primary_persona_id,
        primary_persona.persona_name as primary_persona_name,
        primary_persona.priority as primary_priority,
        case evaluations.rank_1_persona_id
            {%- for persona_id in persona_ids %}
            when {{ persona_id }} then evaluations.persona_{{ persona_id }}_severity
            {%- endfor %}
        end as primary_severity,
        coalesce(
            case evaluations.rank_1_persona_id
                {%- for persona_id in persona_ids %}
                when {{ persona_id }} then evaluations.persona_{{ persona_id }}_reasoning
                {%- endfor %}
            end,
            'No persona matched: every persona rule failed for this window, so the user is STABLE.'
        ) as primary_reasoning,
        evaluations.rank_2_persona_id as secondary_persona_id,
        secondary_persona.persona_name as secondary_persona_name,
        secondary_persona.priority as secondary_priority,
        case evaluations.rank_2_persona_id
            {%- for persona_id in persona_ids %}
            when {{ persona_id }} then evaluations.persona_{{ persona_id }}_severity
            {%- endfor %}
        end as secondary_severity,
        case evaluations.rank_2_persona_id
            {%- for persona_id in persona_ids %}
            when {{ persona_id }} then evaluations.persona_{{ persona_id }}_reasoning
            {%- endfor %}
        end as secondary_reasoning,
        {{ assignment_status('evaluations.rank_1_persona_id') }} as status,
        {{ array_without_nulls(ranked_ids) }} as ranked_persona_ids

    from evaluations
    left join personas as primary_persona
        on evaluations.rank_1_persona_id = primary_persona.persona_id
    left join personas as secondary_persona
        on evaluations.rank_2_persona_id = secondary_persona.persona_id

),

-- The trace's key and result as JSON text; the five evaluations are already JSON.
traced as (

    select
        chosen.*,
        ruleset.ruleset_version,
        {{ to_json_text(make_struct([
            ('user_id', 'chosen.user_id'),
            ('window_days', 'chosen.window_days'),
            ('as_of_date', 'cast(chosen.as_of_date as string)'),
            ('ruleset_version', 'ruleset.ruleset_version'),
            ('missing_signals', 'chosen.missing_signals'),
        ])) }} as key_json,
        {{ to_json_text(make_struct([
            ('status', 'chosen.status'),
            ('ranked_persona_ids', 'chosen.ranked_persona_ids'),
            ('primary_persona_id', 'chosen.primary_persona_id'),
            ('primary_reasoning', 'chosen.primary_reasoning'),
            ('secondary_persona_id', 'chosen.secondary_persona_id'),
            ('secondary_reasoning', 'chosen.secondary_reasoning'),
        ])) }} as result_json

    from chosen
    cross join ruleset

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
        ruleset_version,
        -- The SPEC trace: the key object, extended by "evaluations" (the five
        -- finished entries, spliced as text: nothing is parsed again, which
        -- keeps 2M traces cheap) and "result". A NULL entry becomes JSON null.
        concat(
            substr(key_json, 1, length(key_json) - 1),
            ',"evaluations":{',
            {%- for persona_id in persona_ids %}
            '{{ "," if not loop.first }}"persona_{{ persona_id }}":',
            coalesce(persona_{{ persona_id }}_evaluation_json, 'null'),
            {%- endfor %}
            '},"result":',
            result_json,
            '}'
        ) as assignment_trace,
        cast({{ sql_string_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S')) }} as timestamp)
            as computed_at

    from traced

)

select * from final
