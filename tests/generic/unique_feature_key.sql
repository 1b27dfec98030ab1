{% test unique_feature_key(model) %}
{#-
    Each (user_id, window_days, as_of_date) appears at most once in a
    feature file, compared as staging reads the key (two instants of the
    same UTC day, or 30 and 30.0, are the same key). Fails with an error that names the file and an example key,
    since a plain test failure only says how many rows failed.
-#}

with

duplicated_keys as (

    select
        min(source_file) as source_file,
        cast(user_id as string) as user_id,
        cast(cast(window_days as integer) as string) as window_days,
        cast({{ safe_cast_date('as_of_date') }} as string) as as_of_date,
        count(*) as row_count,
        count(*) over () as duplicated_key_count

    from {{ model }}
    group by
        cast(user_id as string),
        cast(cast(window_days as integer) as string),
        cast({{ safe_cast_date('as_of_date') }} as string)
    having count(*) > 1

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
