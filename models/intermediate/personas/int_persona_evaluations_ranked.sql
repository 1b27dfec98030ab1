with

evaluations as (

    select * from {{ ref('int_persona_evaluations_unioned') }}
    where is_matched

),

priority_levels as (

    select * from {{ ref('priority_levels') }}

),

ranked as (

    select
        evaluations.scenario_id,
        evaluations.user_id,
        evaluations.window_days,
        evaluations.as_of_date,
        evaluations.persona_id,
        evaluations.persona_name,
        evaluations.priority,
        priority_levels.priority_rank,
        evaluations.severity,
        row_number() over (
            partition by
                evaluations.scenario_id,
                evaluations.user_id,
                evaluations.window_days,
                evaluations.as_of_date
            order by
                priority_levels.priority_rank asc,
                coalesce(evaluations.severity, 0) desc,
                evaluations.persona_id asc
        ) as persona_rank

    from evaluations
    inner join priority_levels
        on evaluations.priority = priority_levels.priority

)

select * from ranked
