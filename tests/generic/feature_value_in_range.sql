{% test feature_value_in_range(model, column_name, min_value=none, max_value=none) %}
{#-
    Values that cannot be true (a negative count, a share above 1) stop the
    run with an error naming the file, the column, the value and an example
    user. NULL, NaN and infinite values are not range errors: staging turns
    them into NULL (SPEC section 4, "Missing and invalid values").
-#}
{%- set bounds = [] -%}
{%- if min_value is not none -%}{%- do bounds.append(min_value ~ ' or more') -%}{%- endif -%}
{%- if max_value is not none -%}{%- do bounds.append(max_value ~ ' or less') -%}{%- endif -%}

with

checked as (

    select
        source_file,
        cast(user_id as string) as user_id,
        cast(window_days as string) as window_days,
        cast(as_of_date as string) as as_of_date,
        {{ finite_or_null(column_name) }} as checked_value

    from {{ model }}

),

out_of_range as (

    select
        *,
        count(*) over () as out_of_range_row_count

    from checked
    where
        false
        {%- if min_value is not none %}
        or checked_value < {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
        or checked_value > {{ max_value }}
        {%- endif %}

)

select *
from out_of_range
where {{ raise_sql_error(
    "'Impossible value in ' || source_file || " ~ sql_string_literal(', column ' ~ column_name ~ ': ')
    ~ " || cast(checked_value as string) || ' for user_id=' || coalesce(user_id, 'NULL')"
    ~ " || ' (window_days=' || coalesce(window_days, 'NULL')"
    ~ " || ', as_of_date=' || coalesce(as_of_date, 'NULL') || '); '"
    ~ " || cast(out_of_range_row_count as string) || ' rows affected. '"
    ~ " || " ~ sql_string_literal(
        'Allowed: ' ~ (bounds | join(' and ')) ~ '. Fix the Epic 2 export, then re-run.')
) }} is null

{% endtest %}
