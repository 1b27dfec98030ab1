{#-
    Where archetype labels exist (var archetypes_path): per scenario, window
    and archetype, how many labelled keys have each primary outcome under the
    current thresholds and under the candidate, and the difference. Empty
    without labels, as for real data.
-#}

with

comparisons as (

    select
        scenario_id,
        user_id,
        window_days,
        as_of_date,
        current_outcome,
        candidate_outcome

    from {{ ref('what_if_comparisons') }}

),

labels as (

    select
        user_id,
        as_of_date,
        archetype

    from {{ ref('stg_labels__user_archetypes') }}

),

labelled as (

    select
        comparisons.*,
        labels.archetype

    from comparisons
    inner join labels
        on {{ archetype_label_join('comparisons', 'labels') }}

),

current_counts as (

    select
        scenario_id,
        window_days,
        archetype,
        current_outcome as outcome,
        count(*) as current_key_count

    from labelled
    group by scenario_id, window_days, archetype, current_outcome

),

candidate_counts as (

    select
        scenario_id,
        window_days,
        archetype,
        candidate_outcome as outcome,
        count(*) as candidate_key_count

    from labelled
    group by scenario_id, window_days, archetype, candidate_outcome

),

deltas as (

    select
        coalesce(current_counts.scenario_id, candidate_counts.scenario_id) as scenario_id,
        coalesce(current_counts.window_days, candidate_counts.window_days) as window_days,
        coalesce(current_counts.archetype, candidate_counts.archetype) as archetype,
        coalesce(current_counts.outcome, candidate_counts.outcome) as outcome,
        coalesce(current_counts.current_key_count, 0) as current_key_count,
        coalesce(candidate_counts.candidate_key_count, 0) as candidate_key_count,
        coalesce(candidate_counts.candidate_key_count, 0)
        - coalesce(current_counts.current_key_count, 0) as key_count_delta

    from current_counts
    full outer join candidate_counts
        on
            current_counts.scenario_id = candidate_counts.scenario_id
            and current_counts.window_days = candidate_counts.window_days
            and current_counts.archetype = candidate_counts.archetype
            and current_counts.outcome = candidate_counts.outcome

)

select * from deltas
