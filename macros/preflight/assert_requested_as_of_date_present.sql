{% macro assert_requested_as_of_date_present(feature_paths) %}
    {#-
        When var as_of_date is set, read the dates present in the feature
        files and check it is one of them (assert_as_of_date_among). The same
        SQL on every engine: the file relation and the date cast are
        dispatched, and a DATE cast to text is ISO YYYY-MM-DD on both.
    -#}
    {%- set requested = requested_as_of_date() -%}
    {%- if requested is none or not feature_paths -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set date_queries = [] -%}
    {%- for path in feature_paths -%}
        {%- do date_queries.append(
            'select distinct ' ~ safe_cast_date('as_of_date') ~ ' as as_of_date from '
            ~ parquet_file_relation(path)
        ) -%}
    {%- endfor -%}
    {%- set present = run_query(
        'select distinct cast(as_of_date as string) from ('
        ~ date_queries | join(' union ') ~ ') as dates where as_of_date is not null order by 1'
    ).columns[0].values() | list -%}
    {%- do assert_as_of_date_among(present) -%}
{% endmacro %}
