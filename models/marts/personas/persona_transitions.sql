{#-
    For the recommendation stage: every key whose status or primary persona
    differs from the same user's and window's previous evaluated as_of_date
    (where that key exists). entered = STABLE -> ASSIGNED, exited =
    ASSIGNED -> STABLE, changed = another primary persona. A key with no
    earlier date has no row. Incremental like persona_assignments: each run
    recomputes the transitions of the pairs it evaluated and of the next
    stored date after each (transition_pairs), and keeps the rest.
-#}
{{ config(
    materialized=('incremental' if history_is_incremental() else 'table'),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=["{{ delete_pairs(transition_pairs()) }}"],
) }}
-- depends_on: {{ ref('int_evaluation_plan') }}
{% set targets = pairs_condition(transition_pairs()) %}

with

assignments as (

    select
        user_id,
        window_days,
        as_of_date,
        status,
        primary_persona_id

    from {{ ref('persona_assignments') }}

),

sequenced as (

    select
        *,
        lag(as_of_date) over (
            partition by user_id, window_days order by as_of_date
        ) as previous_as_of_date,
        lag(status) over (partition by user_id, window_days order by as_of_date) as previous_status,
        lag(primary_persona_id) over (
            partition by user_id, window_days order by as_of_date
        ) as previous_primary_persona_id

    from assignments

),

transitions as (

    select
        user_id,
        window_days,
        as_of_date,
        previous_as_of_date,
        previous_status,
        previous_primary_persona_id,
        status,
        primary_persona_id,
        case
            when previous_status = 'STABLE' and status = 'ASSIGNED' then 'entered'
            when previous_status = 'ASSIGNED' and status = 'STABLE' then 'exited'
            else 'changed'
        end as change_type

    from sequenced
    where
        previous_as_of_date is not null
        and {{ targets }}
        and (
            status != previous_status
            or primary_persona_id is distinct from previous_primary_persona_id
        )

)

select * from transitions
