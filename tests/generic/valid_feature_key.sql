{% test valid_feature_key(model) %}
{#-
    Every row of a feature file has a user_id, a window_days and an
    as_of_date that reads as a date (DATE, timestamp or 'YYYY-MM-DD' text).
    Fails with an error naming the file (the row's source_file), the column
    and an example row.
-#}

with

invalid_keys as (

    select
        source_file,
        cast(user_id as string) as user_id,
        cast(window_days as string) as window_days,
        cast(as_of_date as string) as as_of_date,
        case
            when user_id is null then 'user_id is NULL'
            when window_days is null then 'window_days is NULL'
            when as_of_date is null then 'as_of_date is NULL'
            else 'as_of_date is not a date (expected YYYY-MM-DD)'
        end as problem,
        count(*) over () as invalid_row_count

    from {{ model }}
    where
        user_id is null
        or window_days is null
        or {{ safe_cast_date('as_of_date') }} is null

)

select *
from invalid_keys
where {{ raise_sql_error(
    "'Invalid key in ' || source_file || ': '"
    ~ " || problem || ' (user_id=' || coalesce(user_id, 'NULL')"
    ~ " || ', window_days=' || coalesce(window_days, 'NULL')"
    ~ " || ', as_of_date=' || coalesce(as_of_date, 'NULL') || '; '"
    ~ " || cast(invalid_row_count as string) || ' such rows). '"
    ~ " || " ~ sql_string_literal(
        'Every row needs user_id, window_days and an ISO as_of_date: fix the Epic 2 export.')
) }} is null

{% endtest %}
