{#-
    The persona mix of every stored (as_of_date, window_days): per outcome
    (the five personas and STABLE) the share of keys whose primary outcome
    it is, next to the same share on the previous stored date of the
    window. The drift check of the gate reads the pairs this run evaluated;
    the report draws the whole history.
-#}
-- depends_on: {{ ref('int_evaluation_plan') }}
{% set evaluated = pairs_condition(evaluated_pairs()) -%}

with

assignments as (

    select * from {{ ref('persona_assignments') }}

),

personas as (

    select * from {{ ref('personas') }}

),

outcomes as (

    select
        persona_id,
        persona_name as outcome

    from personas

    union all

    select
        cast(null as integer) as persona_id,
        'STABLE' as outcome

),

outcome_counts as (

    select
        as_of_date,
        window_days,
        coalesce(primary_persona_name, 'STABLE') as outcome,
        count(*) as outcome_key_count

    from assignments
    group by as_of_date, window_days, coalesce(primary_persona_name, 'STABLE')

),

date_totals as (

    select
        as_of_date,
        window_days,
        sum(outcome_key_count) as key_count

    from outcome_counts
    group by as_of_date, window_days

),

-- every outcome on every date, so that an outcome nobody has counts as 0 %
outcome_shares as (

    select
        date_totals.as_of_date,
        date_totals.window_days,
        outcomes.persona_id,
        outcomes.outcome,
        date_totals.key_count,
        coalesce(outcome_counts.outcome_key_count, 0) as outcome_key_count,
        coalesce(outcome_counts.outcome_key_count, 0) * 1.0 / date_totals.key_count as outcome_share

    from date_totals
    cross join outcomes
    left join outcome_counts
        on
            date_totals.as_of_date = outcome_counts.as_of_date
            and date_totals.window_days = outcome_counts.window_days
            and outcomes.outcome = outcome_counts.outcome

),

with_previous as (

    select
        *,
        lag(as_of_date) over previous_date as previous_as_of_date,
        lag(key_count) over previous_date as previous_key_count,
        lag(outcome_share) over previous_date as previous_outcome_share

    from outcome_shares
    window previous_date as (partition by window_days, outcome order by as_of_date)

),

final as (

    select
        as_of_date,
        window_days,
        persona_id,
        outcome,
        key_count,
        outcome_key_count,
        outcome_share,
        previous_as_of_date,
        previous_key_count,
        previous_outcome_share,
        outcome_share - previous_outcome_share as share_shift,
        {{ evaluated }} as is_evaluated

    from with_previous

)

select * from final
