{% macro assert_requested_as_of_date_present(feature_paths) %}
    {#-
        When var as_of_date is set, at least one feature row must carry it;
        otherwise the run stops and lists the dates that are present.
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
    {%- if requested not in present -%}
        {{ exceptions.raise_compiler_error(
            "var as_of_date = " ~ requested ~ " matches no row in the feature files under "
            ~ var('features_dir') ~ ". Dates present: "
            ~ (present | join(', ') if present else 'none') ~ ". "
            ~ "Pass one of them, or leave as_of_date unset to evaluate every date."
        ) }}
    {%- endif -%}
{% endmacro %}
