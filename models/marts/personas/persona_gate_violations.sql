{#-
    Every violation of the validation criteria (SPEC section 7) on the
    current persona_assignments, one row each. A view, so it always reflects
    the table as it is now: the gate tests read it, and the export models'
    pre-hook reads it again and refuses to publish unless it is empty, even
    under `dbt run` or a selection that leaves the tests out.
-#}
{%- set windows = configured_windows() -%}

with

assignment_keys as (

    select * from {{ ref('int_assignment_keys') }}

),

assignments as (

    select * from {{ ref('persona_assignments') }}

),

archetypes as (

    select * from {{ ref('stg_labels__user_archetypes') }}

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
            else cast(assignment_count as varchar) || ' assignments for this key (expected 1)'
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
        'assigned in ' || cast(window_count as varchar) || ' of {{ windows | length }} windows' as detail

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
trace_validity as (

    select
        user_id,
        window_days,
        as_of_date,
        status,
        primary_persona_id,
        secondary_persona_id,
        assignment_trace,
        {{ is_valid_json('assignment_trace') }} as is_valid_trace

    from assignments

),

trace_texts as (

    select
        *,
        case
            when is_valid_trace
                then {{ json_extract_texts('assignment_trace', [
                    '$.user_id',
                    '$.window_days',
                    '$.as_of_date',
                    '$.result.status',
                    '$.result.primary_persona_id',
                    '$.result.secondary_persona_id',
                    '$.evaluations.persona_1.matched',
                    '$.evaluations.persona_2.matched',
                    '$.evaluations.persona_3.matched',
                    '$.evaluations.persona_4.matched',
                    '$.evaluations.persona_5.matched',
                ]) }}
        end as extracted

    from trace_validity

),

trace_checks as (

    select
        user_id,
        window_days,
        as_of_date,
        is_valid_trace,
        (
            {{ array_element('extracted', 7) }} is not null
            and {{ array_element('extracted', 8) }} is not null
            and {{ array_element('extracted', 9) }} is not null
            and {{ array_element('extracted', 10) }} is not null
            and {{ array_element('extracted', 11) }} is not null
        ) as has_all_evaluations,
        (
            {{ array_element('extracted', 1) }} is not distinct from user_id
            and {{ array_element('extracted', 2) }} is not distinct from cast(window_days as varchar)
            and {{ array_element('extracted', 3) }} is not distinct from cast(as_of_date as varchar)
            and {{ array_element('extracted', 4) }} is not distinct from status
            and {{ array_element('extracted', 5) }} is not distinct from cast(primary_persona_id as varchar)
            and {{ array_element('extracted', 6) }} is not distinct from cast(secondary_persona_id as varchar)
        ) as agrees_with_row

    from trace_texts

),

trace_violations as (

    select
        'trace_matches_assignment' as check_name,
        user_id,
        window_days,
        as_of_date,
        case
            when not is_valid_trace then 'assignment_trace is not valid JSON'
            when not has_all_evaluations then 'trace lacks one of the five persona evaluations'
            else 'trace key or result differs from the row'
        end as detail

    from trace_checks
    where not is_valid_trace or not has_all_evaluations or not agrees_with_row

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
        on assignments.user_id = archetypes.user_id
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
                || coalesce('persona ' || cast(expected_primary_persona_id as varchar), 'STABLE')
                || case when expects_secondary then ' with a secondary persona' else '' end
                || ', got ' || coalesce('persona ' || cast(primary_persona_id as varchar), 'STABLE')
                || coalesce(' + persona ' || cast(secondary_persona_id as varchar), '')
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
        on assignments.user_id = archetypes.user_id
    group by assignments.user_id, assignments.as_of_date

),

window_disagreement_violations as (

    select
        'some_user_differs_between_windows' as check_name,
        cast(null as varchar) as user_id,
        cast(null as integer) as window_days,
        cast(null as date) as as_of_date,
        'no labelled user has different primary personas in different windows' as detail

    from primary_personas_per_user
    having count(*) > 0 and max(distinct_primary_count) < 2

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

)

select * from violations
