{% macro assert_requested_as_of_date_present(feature_paths) %}
    {#-
        When var as_of_date is set, read the dates present in the feature
        files (DuckDB) and check it is one of them (assert_as_of_date_among).
    -#}
    {%- set requested = requested_as_of_date() -%}
    {%- if requested is none or not feature_paths -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set date_queries = [] -%}
    {%- for path in feature_paths -%}
        {%- do date_queries.append(
            'select distinct try_cast(as_of_date as date) as as_of_date from read_parquet('
            ~ sql_string_literal(path) ~ ')'
        ) -%}
    {%- endfor -%}
    {%- set present = run_query(
        'select distinct strftime(as_of_date, \'%Y-%m-%d\') from ('
        ~ date_queries | join(' union ') ~ ') where as_of_date is not null order by 1'
    ).columns[0].values() | list -%}
    {%- do assert_as_of_date_among(present) -%}
{% endmacro %}
