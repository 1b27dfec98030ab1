{#-
    The archetype labels when var archetypes_path points at a file; an empty
    table of the same shape otherwise, so the archetype checks have nothing to
    compare and report themselves as skipped instead of failing.
-#}
{%- set has_archetypes = execute and parquet_facts(path_var('archetypes_path')).readable -%}
{%- if execute and not has_archetypes -%}
    {{ log("Notice: no archetype file at " ~ var('archetypes_path')
        ~ ": the archetype checks (SPEC 7.5, 7.6) are skipped.", info=true) }}
{%- endif %}

with

{% if has_archetypes -%}
source as (

    select * from {{ source('demo_labels', 'user_archetypes') }}

),
{%- else -%}
-- depends_on: {{ source('demo_labels', 'user_archetypes') }}
source as (

    select
        cast(null as string) as user_id,
        cast(null as string) as archetype,
        cast(null as date) as as_of_date

    where false

),
{%- endif %}

staged as (

    select
        cast(user_id as string) as user_id,
        cast(archetype as string) as archetype,
        {{ safe_cast_date('as_of_date') }} as as_of_date

    from source

)

select * from staged
