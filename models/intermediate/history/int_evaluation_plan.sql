{#-
    Which (as_of_date, window_days) pairs of the inputs this run evaluates,
    and why. A pair is evaluated when it has never been published, or when
    its inputs changed since it was (the fingerprint differs), and every
    window of a date is evaluated when one is: new means
    "not yet evaluated from these inputs", never "a date not seen before".
    `--vars '{as_of_date: ...}'` evaluates that date again whatever its
    fingerprint (a late correction); `dbt build --full-refresh` evaluates
    every pair. What was published, and from which fingerprint and ruleset,
    is persona_published_pairs, written at the end of the previous
    successful run; it is read here as it stands (not through ref(): it is
    downstream of this run's evaluation).
-#}
{#- What was published counts only while this run's outputs exist (a deleted or new file gets every pair). -#}
{%- set published = adapter.get_relation(
    database=this.database, schema=this.schema, identifier='persona_published_pairs'
) if execute and history_is_incremental() and not flags.FULL_REFRESH else none -%}
{%- set published = published if published is not none and published_outputs_exist() else none -%}
{%- set requested = requested_as_of_date() -%}

with

fingerprints as (

    select * from {{ ref('int_input_fingerprints') }}
    {% if requested is not none -%}
    where as_of_date = cast({{ sql_string_literal(requested) }} as date)
    {%- endif %}

),

ruleset as (

    select * from {{ ref('persona_ruleset') }}

),

published as (

    {% if published is not none -%}
    select
        as_of_date,
        window_days,
        input_fingerprint,
        ruleset_version

    from {{ published }}
    {%- else -%}
    select
        cast(null as date) as as_of_date,
        cast(null as integer) as window_days,
        cast(null as string) as input_fingerprint,
        cast(null as string) as ruleset_version

    where false
    {%- endif %}

),

plan as (

    select
        fingerprints.as_of_date,
        fingerprints.window_days,
        fingerprints.input_fingerprint,
        published.input_fingerprint as published_fingerprint,
        published.ruleset_version as published_ruleset_version,
        ruleset.ruleset_version,
        case
            when {{ 'true' if requested is not none else 'false' }} then 'as_of_date requested'
            when {{ 'true' if flags.FULL_REFRESH or not history_is_incremental() else 'false' }}
                then 'full refresh'
            when published.input_fingerprint is null then 'new'
            when published.input_fingerprint != fingerprints.input_fingerprint then 'inputs changed'
        end as evaluation_reason

    from fingerprints
    cross join ruleset
    left join published
        on
            fingerprints.as_of_date = published.as_of_date
            and fingerprints.window_days = published.window_days

),

-- A date is evaluated whole (every window): the gate checks each user's windows together.
whole_dates as (

    select
        as_of_date,
        window_days,
        input_fingerprint,
        published_fingerprint,
        published_ruleset_version,
        ruleset_version,
        coalesce(
            evaluation_reason, max(evaluation_reason) over (partition by as_of_date)
        ) as evaluation_reason

    from plan

),

final as (

    select
        *,
        evaluation_reason is not null as is_evaluated

    from whole_dates

)

select * from final
