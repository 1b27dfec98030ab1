{#-
    Every violation of the validation criteria (SPEC section 7) on
    persona_assignments, one row each. Evaluated once per run: the gate tests
    read this table, and persona_gate_result records for which dbt invocation
    it was evaluated, so the exports can refuse stale verdicts.
-#}
{{ config(
    pre_hook="{{ leave_a_core_for_the_sqlite_writer() }}",
    post_hook="{{ restore_warehouse_threads() }}",
) }}
-- depends_on: {{ ref('int_evaluation_plan') }}
{% set windows = configured_windows() -%}
{#- The checks look at the pairs this run evaluated; the drift check also at the dates before them. -#}
{%- set pairs = evaluated_pairs() -%}
{%- set evaluated = pairs_condition(pairs) -%}
{%- set max_shift = threshold_var('max_persona_share_shift', unit='fraction') -%}

with

assignment_keys as (

    select * from {{ ref('int_assignment_keys') }}

),

-- Every column but the trace: this CTE is read by several checks, and the
-- engine may materialise it; copying ~2 KB of trace per row would double the
-- gate's cost. The trace check reads the traces once, below.
assignments as (

    select
        assignment_id,
        user_id,
        window_days,
        as_of_date,
        primary_persona_id,
        secondary_persona_id,
        status

    from {{ ref('persona_assignments') }}
    where {{ evaluated }}

),

assignment_traces as (

    select
        user_id,
        window_days,
        as_of_date,
        primary_persona_id,
        secondary_persona_id,
        status,
        assignment_trace

    from {{ ref('persona_assignments') }}
    where {{ evaluated }}

),

-- The labelled users, when the archetype checks apply to this run (labels
-- present, thresholds as the expectations were written for; persona_gate_checks).
archetype_scope as (

    select is_applied from {{ ref('persona_gate_checks') }}
    where check_name = 'archetype_gets_expected_persona'

),

window_comparison_scope as (

    select is_applied from {{ ref('persona_gate_checks') }}
    where check_name = 'some_user_differs_between_windows'

),

-- Only the labels of the dates this run evaluated (an undated label holds for
-- every date): the join below matches on user_id first, so each label date
-- kept multiplies the rows it compares (16M instead of 2M at eight dates).
archetypes as (

    select labels.*
    from {{ ref('stg_labels__user_archetypes') }} as labels
    inner join archetype_scope
        on archetype_scope.is_applied
    where labels.as_of_date is null or {{ dates_condition(pairs | map(attribute=0) | list, 'labels.as_of_date') }}

),

archetype_expectations as (

    select * from {{ ref('archetype_expectations') }}

),

-- 7.1 every key of the spine has exactly one assignment, and no other rows exist
assignments_per_key as (

    select
        coalesce(assignment_keys.user_id, assignments.user_id) as user_id,
        coalesce(assignment_keys.window_days, assignments.window_days) as window_days,
        coalesce(assignment_keys.as_of_date, assignments.as_of_date) as as_of_date,
        count(assignments.assignment_id) as assignment_count,
        bool_or(assignment_keys.user_id is null) as is_outside_spine

    from assignment_keys
    full outer join assignments
        on {{ feature_key_join('assignment_keys', 'assignments') }}
    group by
        coalesce(assignment_keys.user_id, assignments.user_id),
        coalesce(assignment_keys.window_days, assignments.window_days),
        coalesce(assignment_keys.as_of_date, assignments.as_of_date)

),

key_coverage_violations as (

    select
        'every_key_has_one_assignment' as check_name,
        user_id,
        window_days,
        as_of_date,
        case
            when is_outside_spine then 'assignment for a key that is not in the feature files'
            else cast(assignment_count as string) || ' assignments for this key (expected 1)'
        end as detail

    from assignments_per_key
    where assignment_count != 1 or is_outside_spine

),

-- 7.1 every user has an assignment for every configured window
windows_per_user as (

    select
        user_id,
        as_of_date,
        count(distinct window_days) as window_count

    from assignments
    group by user_id, as_of_date

),

window_coverage_violations as (

    select
        'every_user_has_every_window' as check_name,
        user_id,
        cast(null as integer) as window_days,
        as_of_date,
        'assigned in ' || cast(window_count as string) || ' of {{ windows | length }} windows' as detail

    from windows_per_user
    where window_count != {{ windows | length }}

),

-- 7.2 status agrees with the persona columns
status_violations as (

    select
        'status_is_consistent' as check_name,
        user_id,
        window_days,
        as_of_date,
        case
            when (status = 'ASSIGNED') != (primary_persona_id is not null)
                then 'status ' || status || ' disagrees with primary_persona_id'
            when secondary_persona_id is not null and primary_persona_id is null
                then 'secondary persona without a primary'
            else 'primary and secondary persona are the same'
        end as detail

    from assignments
    where
        (status = 'ASSIGNED') != (primary_persona_id is not null)
        or (secondary_persona_id is not null and primary_persona_id is null)
        or primary_persona_id = secondary_persona_id

),

-- 7.3 the trace parses, holds all five evaluations and agrees with the row
persona_names as (

    select
        max(case when persona_id = 1 then persona_name end) as persona_1_name,
        max(case when persona_id = 2 then persona_name end) as persona_2_name,
        max(case when persona_id = 3 then persona_name end) as persona_3_name,
        max(case when persona_id = 4 then persona_name end) as persona_4_name,
        max(case when persona_id = 5 then persona_name end) as persona_5_name

    from {{ ref('personas') }}

),

-- One JSON read per row: each path of the trace is paired with what the row
-- (or the personas seed) says it must hold, and the two lists are compared.
{%- set trace_fields = [
    ('$.user_id', 'assignment_traces.user_id'),
    ('$.window_days', 'cast(assignment_traces.window_days as string)'),
    ('$.as_of_date', 'cast(assignment_traces.as_of_date as string)'),
    ('$.result.status', 'assignment_traces.status'),
    ('$.result.primary_persona_id', 'cast(assignment_traces.primary_persona_id as string)'),
    ('$.result.secondary_persona_id', 'cast(assignment_traces.secondary_persona_id as string)'),
    ('$.evaluations.persona_1.persona_name', 'persona_names.persona_1_name'),
    ('$.evaluations.persona_2.persona_name', 'persona_names.persona_2_name'),
    ('$.evaluations.persona_3.persona_name', 'persona_names.persona_3_name'),
    ('$.evaluations.persona_4.persona_name', 'persona_names.persona_4_name'),
    ('$.evaluations.persona_5.persona_name', 'persona_names.persona_5_name'),
] %}
trace_comparison as (

    select
        assignment_traces.user_id,
        assignment_traces.window_days,
        assignment_traces.as_of_date,
        assignment_traces.assignment_trace,
        {{ json_extract_texts('assignment_traces.assignment_trace', trace_fields | map(attribute=0) | list) }}
            as trace_texts,
        {{ dbt.array_construct(trace_fields | map(attribute=1) | list, 'string') }} as row_texts  -- noqa: LT05

    from assignment_traces
    cross join persona_names

),

trace_violations as (

    select
        'trace_matches_assignment' as check_name,
        user_id,
        window_days,
        as_of_date,
        case
            when not {{ is_valid_json('assignment_trace') }} then 'assignment_trace is not valid JSON'
            else 'trace key, result or persona evaluations differ from the row'
        end as detail

    from trace_comparison
    where trace_texts is distinct from row_texts

),

-- 7.5 each labelled archetype gets the outcome the expectations seed lists
archetype_outcomes as (

    select
        assignments.user_id,
        assignments.window_days,
        assignments.as_of_date,
        archetypes.archetype,
        assignments.status,
        assignments.primary_persona_id,
        assignments.secondary_persona_id,
        archetype_expectations.expected_status,
        archetype_expectations.expected_primary_persona_id,
        archetype_expectations.expects_secondary,
        archetype_expectations.archetype is not null as has_expectation

    from assignments
    inner join archetypes
        on {{ archetype_label_join('assignments', 'archetypes') }}
    left join archetype_expectations
        on
            archetypes.archetype = archetype_expectations.archetype
            and assignments.window_days = archetype_expectations.window_days

),

archetype_violations as (

    select
        'archetype_gets_expected_persona' as check_name,
        user_id,
        window_days,
        as_of_date,
        case
            when not has_expectation
                then 'archetype ''' || archetype || ''' has no row in the archetype_expectations seed'
            else
                'archetype ''' || archetype || ''' expects '
                || coalesce('persona ' || cast(expected_primary_persona_id as string), 'STABLE')
                || case when expects_secondary then ' with a secondary persona' else '' end
                || ', got ' || coalesce('persona ' || cast(primary_persona_id as string), 'STABLE')
                || coalesce(' + persona ' || cast(secondary_persona_id as string), '')
        end as detail

    from archetype_outcomes
    where
        not has_expectation
        or status != expected_status
        or primary_persona_id is distinct from expected_primary_persona_id
        or (expects_secondary and secondary_persona_id is null)

),

-- 7.6 with labels present, some user's primary persona differs between windows
primary_personas_per_user as (

    select
        assignments.user_id,
        assignments.as_of_date,
        count(distinct coalesce(assignments.primary_persona_id, 0)) as distinct_primary_count

    from assignments
    inner join archetypes
        on {{ archetype_label_join('assignments', 'archetypes') }}
    group by assignments.user_id, assignments.as_of_date

),

window_disagreement_violations as (

    select
        'some_user_differs_between_windows' as check_name,
        cast(null as string) as user_id,
        cast(null as integer) as window_days,
        cast(null as date) as as_of_date,
        'no labelled user has different primary personas in different windows' as detail

    from primary_personas_per_user
    inner join window_comparison_scope
        on window_comparison_scope.is_applied
    having count(*) > 0 and max(primary_personas_per_user.distinct_primary_count) < 2

),

-- 8 (history) the mix of primary outcomes of a newly evaluated date moves at
-- most var max_persona_share_shift from the previous stored date's
persona_mix as (

    select * from {{ ref('int_persona_mix_by_date') }}
    where is_evaluated and previous_as_of_date is not null

),

drift_violations as (

    select
        'persona_mix_is_stable' as check_name,
        cast(null as string) as user_id,
        window_days,
        as_of_date,
        outcome || ': ' || {{ format_number('100 * outcome_share') }} || ' % of '
        || cast(key_count as string) || ' keys on ' || cast(as_of_date as string)
        || ' against ' || {{ format_number('100 * previous_outcome_share') }} || ' % of '
        || cast(previous_key_count as string) || ' keys on ' || cast(previous_as_of_date as string)
        || ' (' || cast(window_days as string) || '-day window), a shift of '
        || {{ format_number('100 * abs(share_shift)') }}
        || ' points. Var max_persona_share_shift is {{ max_shift }}: if the shift is real, raise it '
        || '(--vars ''{max_persona_share_shift: ...}''); otherwise check the Epic 2 export of '
        || cast(as_of_date as string) || '.' as detail

    from persona_mix
    -- rounded so that a shift of exactly the var's value (e.g. 0.35 - 0.25) passes
    where round(abs(share_shift), 9) > {{ max_shift }}

),

violations as (

    select * from key_coverage_violations
    union all
    select * from window_coverage_violations
    union all
    select * from status_violations
    union all
    select * from trace_violations
    union all
    select * from archetype_violations
    union all
    select * from window_disagreement_violations
    union all
    select * from drift_violations

)

select * from violations
