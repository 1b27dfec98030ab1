{% macro appends_to_parquet_output(previous, pairs) %}
    {#-
        Whether this run only appends to the Parquet output in its
        (as_of_date, user_id, window_days) order: every date of `pairs` (the
        pairs it evaluates) is later than the last date of the previous
        output (`previous`, its parquet_facts), or there is no previous
        output. The output is then the previous file's rows as they are,
        followed by this run's rows sorted.
    -#}
    {%- if not execute or not pairs or not previous.found -%}
        {{ return(true) }}
    {%- endif -%}
    {%- if not previous.readable -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set last_date = run_query(
        'select cast(max(as_of_date) as string) from ' ~ previous.relation
    ).columns[0].values()[0] -%}
    {{ return(last_date is none or (pairs | map(attribute=0) | min) > last_date) }}
{% endmacro %}
