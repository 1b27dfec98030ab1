{% test unique_feature_key(model, plan) %}
{#-
    Each (user_id, window_days, as_of_date) appears at most once in a
    feature file, compared as staging reads the key (two instants of the
    same UTC day, or 30 and 30.0, are the same key). Fails with an error that names the file and an example key,
    since a plain test failure only says how many rows failed.

    Only the (as_of_date, window_days) pairs this run evaluates are checked
    (`plan`: int_evaluation_plan): a stored pair was checked when it was
    evaluated, and its rows have not changed since (else its fingerprint
    would have, and it would be evaluated again). With the plan as a second
    parent, dbt runs this test after the plan and skips what reads the
    plan, the evaluation, when it fails; staging and the fingerprints do
    not mind a duplicated key. Keys are grouped as typed values, and the
    file is looked up only for duplicated keys.
-#}

with

all_keys as (

    select
        source_file,
        user_id,
        cast(window_days as integer) as window_days,
        {{ safe_cast_date('as_of_date') }} as as_of_date

    from {{ model }}

),

source_keys as (

    select * from all_keys
    where {{ pairs_condition(evaluated_pairs(plan) if execute else []) }}

),

key_counts as (

    select
        user_id,
        window_days,
        as_of_date,
        count(*) as row_count

    from source_keys
    group by user_id, window_days, as_of_date
    having count(*) > 1

),

duplicated_keys as (

    select
        min(source_keys.source_file) as source_file,
        cast(key_counts.user_id as string) as user_id,
        cast(key_counts.window_days as string) as window_days,
        cast(key_counts.as_of_date as string) as as_of_date,
        key_counts.row_count,
        count(*) over () as duplicated_key_count

    from key_counts
    inner join source_keys
        on
            key_counts.user_id = source_keys.user_id
            and key_counts.window_days = source_keys.window_days
            and key_counts.as_of_date = source_keys.as_of_date
    group by key_counts.user_id, key_counts.window_days, key_counts.as_of_date, key_counts.row_count

)

select *
from duplicated_keys
where {{ raise_sql_error(
    "'Duplicate key in ' || source_file || ': user_id='"
    ~ " || coalesce(user_id, 'NULL') || ', window_days=' || coalesce(window_days, 'NULL')"
    ~ " || ', as_of_date=' || coalesce(as_of_date, 'NULL') || ' appears '"
    ~ " || cast(row_count as string) || ' times ('"
    ~ " || cast(duplicated_key_count as string) || ' duplicated keys in all). '"
    ~ " || " ~ sql_string_literal(
        'Each (user_id, window_days, as_of_date) must appear once per feature file: '
        ~ 'fix the Epic 2 export, then re-run.')
) }} is null

{% endtest %}
