{% macro history_is_incremental() %}
    {#-
        Whether this engine keeps the evaluated dates and evaluates only new
        or changed pairs (DuckDB). Where it does not, every run evaluates
        every pair of the inputs (see persona_assignments' config).
    -#}
    {{ return(target.type == 'duckdb') }}
{% endmacro %}
