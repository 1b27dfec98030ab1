{% macro parquet_file_relation(path) %}
    {#- A relation reading the Parquet file at `path`, for use after FROM. -#}
    {{- return(adapter.dispatch('parquet_file_relation', 'spendsense_personas')(path)) -}}
{% endmacro %}

{% macro default__parquet_file_relation(path) -%}
    read_parquet({{ sql_string_literal(path) }})
{%- endmacro %}

{% macro spark__parquet_file_relation(path) -%}
    parquet.{{ spark_path_literal(path) }}
{%- endmacro %}
