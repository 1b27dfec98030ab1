{#-
    Per scenario and window, how many stored keys go from each current
    primary outcome (a persona, or STABLE) to each candidate one, unchanged
    keys on the diagonal, and how many of them change secondary persona or
    status. The report's heatmaps, counts and shares come from it.
-#}

with

comparisons as (

    select * from {{ ref('what_if_comparisons') }}

),

cells as (

    select
        scenario_id,
        window_days,
        current_outcome,
        candidate_outcome,
        count(*) as key_count,
        count(case when is_secondary_changed then 1 end) as secondary_changed_count,
        count(case when is_status_changed then 1 end) as status_changed_count,
        count(
            case when is_status_changed or is_primary_changed or is_secondary_changed then 1 end
        ) as changed_count

    from comparisons
    group by scenario_id, window_days, current_outcome, candidate_outcome

)

select * from cells
