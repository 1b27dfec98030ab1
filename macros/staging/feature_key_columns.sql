{% macro feature_key_columns() %}
    {#-
        The three key columns every feature file carries, cast to their
        contract types: user_id text, window_days integer (30.0 reads as 30;
        the preflight refuses 30.4), as_of_date DATE (a DATE, a timestamp, an
        instant - TIMESTAMP WITH TIME ZONE, read as its UTC date because the
        engines' session time zone is pinned to UTC - or an ISO 'YYYY-MM-DD'
        string are all accepted).
    -#}
    cast(user_id as string) as user_id,
        cast(window_days as integer) as window_days,
        {{ safe_cast_date('as_of_date') }} as as_of_date
{%- endmacro %}
