{#-
    What every criterion of every persona rule did, per as_of_date and
    window: how many keys it passed for (its pass rate among all keys), how
    many of the persona's matches it triggered (which criterion carries the
    rule), and, for a numeric criterion, how many keys sit within var
    report_threshold_band (default 5 %) of its threshold on each side: the
    users a small change of that threshold would move.
-#}
{%- set band = threshold_var('report_threshold_band', unit='fraction') -%}

with

outcomes as (

    select
        as_of_date,
        window_days,
        persona_id,
        is_matched,
        criterion_position,
        criterion_name,
        operator,
        threshold,
        criterion_value,
        passed,
        threshold - {{ band }} * abs(threshold) as band_low,
        threshold + {{ band }} * abs(threshold) as band_high

    from {{ ref('int_persona_criteria_outcomes') }}

),

aggregated as (

    select
        as_of_date,
        window_days,
        persona_id,
        criterion_position,
        threshold,
        -- A criterion's name and operator follow from its persona and position
        -- (one list per persona model): grouping by them too cost 0.3 s in 1.7 s.
        any_value(criterion_name) as criterion_name,
        any_value(operator) as operator,  -- noqa: RF04
        count(*) as key_count,
        count(case when passed then 1 end) as passed_count,
        count(case when is_matched then 1 end) as matched_count,
        count(case when is_matched and passed then 1 end) as triggered_count,
        count(
            case when criterion_value >= band_low and criterion_value < threshold then 1 end
        ) as just_below_count,
        count(
            case when criterion_value >= threshold and criterion_value <= band_high then 1 end
        ) as just_above_count

    from outcomes
    group by as_of_date, window_days, persona_id, criterion_position, threshold

),

-- The columns in the order the docs list them.
final as (

    select
        as_of_date,
        window_days,
        persona_id,
        criterion_position,
        criterion_name,
        operator,
        threshold,
        key_count,
        passed_count,
        matched_count,
        triggered_count,
        just_below_count,
        just_above_count

    from aggregated

)

select * from final
