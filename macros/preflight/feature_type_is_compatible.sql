{% macro feature_type_is_compatible(declared_type, actual_type) %}
    {#-
        Whether a Parquet column of `actual_type` (as DuckDB reads it) can be
        staged as the source's declared type: any numeric for integer and
        double, DATE/TIMESTAMP or ISO text for date.
    -#}
    {%- set numeric = actual_type.startswith('DECIMAL') or actual_type in [
        'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT',
        'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT', 'FLOAT', 'DOUBLE'] -%}
    {%- set declared = declared_type | lower -%}
    {%- if declared in ['integer', 'double'] -%}
        {{ return(numeric) }}
    {%- elif declared == 'boolean' -%}
        {{ return(actual_type == 'BOOLEAN') }}
    {%- elif declared == 'date' -%}
        {{ return(actual_type == 'DATE' or actual_type.startswith('TIMESTAMP') or actual_type == 'VARCHAR') }}
    {%- else -%}
        {{ return(actual_type == 'VARCHAR') }}
    {%- endif -%}
{% endmacro %}
