{#-
    The gate's checks (SPEC section 7) and whether each applies to this run.
    The archetype checks need labels (an archetype file) and the thresholds
    the expectations were written for (seed archetype_expectation_thresholds):
    with other thresholds a labelled user may rightly get another persona.
    Comparing windows (7.6) also needs two windows or more.
-#}
{%- set threshold_names = persona_thresholds().keys() | list + ['days_per_month'] -%}
{%- set window_count = configured_windows() | length -%}

with

labels as (

    select count(*) as labelled_user_count from {{ ref('stg_labels__user_archetypes') }}

),

label_thresholds as (

    select * from {{ ref('archetype_expectation_thresholds') }}

),

run_thresholds as (

    {% for name in threshold_names -%}
    select
        '{{ name }}' as var_name,
        cast({{ var(name) }} as double) as threshold_value
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

),

differing_thresholds as (

    select
        count(*) as differing_count,
        {{ dbt.listagg(
            "run_thresholds.var_name || ' ' || cast(run_thresholds.threshold_value as string) "
            ~ "|| ' (expectations: ' || cast(label_thresholds.threshold_value as string) || ')'",
            "', '"
        ) }} as differing_vars

    from run_thresholds
    inner join label_thresholds
        on run_thresholds.var_name = label_thresholds.var_name
    where run_thresholds.threshold_value != label_thresholds.threshold_value

),

archetype_scope as (

    select
        labels.labelled_user_count > 0 and differing_thresholds.differing_count = 0 as is_applied,
        case
            when labels.labelled_user_count = 0
                then 'no archetype file (var archetypes_path): nothing to compare'
            when differing_thresholds.differing_count > 0
                then
                    'the thresholds differ from those the archetype expectations were written for '
                    || '(seed archetype_expectation_thresholds): ' || differing_thresholds.differing_vars
        end as skip_reason

    from labels
    cross join differing_thresholds

),

checks as (

    select
        'every_key_has_one_assignment' as check_name,
        '7.1' as spec_section,
        true as is_applied,
        cast(null as string) as skip_reason

    union all

    select
        'every_user_has_every_window' as check_name,
        '7.1' as spec_section,
        true as is_applied,
        cast(null as string) as skip_reason

    union all

    select
        'status_is_consistent' as check_name,
        '7.2' as spec_section,
        true as is_applied,
        cast(null as string) as skip_reason

    union all

    select
        'trace_matches_assignment' as check_name,
        '7.3' as spec_section,
        true as is_applied,
        cast(null as string) as skip_reason

    union all

    select
        'persona_mix_is_stable' as check_name,
        '8' as spec_section,
        true as is_applied,
        cast(null as string) as skip_reason

    union all

    select
        'archetype_gets_expected_persona' as check_name,
        '7.5' as spec_section,
        is_applied,
        skip_reason

    from archetype_scope

    union all

    select
        'some_user_differs_between_windows' as check_name,
        '7.6' as spec_section,
        is_applied and {{ window_count }} > 1 as is_applied,
        coalesce(
            skip_reason,
            case when {{ window_count }} < 2 then 'only one window is configured (var windows)' end
        ) as skip_reason

    from archetype_scope

)

select * from checks
