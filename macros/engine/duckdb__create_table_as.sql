{% macro duckdb__create_table_as(temporary, relation, compiled_code, language='sql', partitioned_by=none, sorted_by=none) -%}
    {#-
        dbt-duckdb's create_table_as, except for the new rows of an
        incremental model with config `incremental_rows_as_view: true`
        (persona_assignments): dbt-duckdb stores them in a temporary table
        and then inserts that into the model's table, which writes a day's
        2M traces twice (and holds 4.4 GB of them in memory). A temporary
        view instead lets the insert evaluate the query once, straight into
        the table; the contract is asserted on it as on the table.
    -#}
    {%- if temporary and language == 'sql' and config.get('incremental_rows_as_view', false) -%}
        {%- if config.get('contract').enforced -%}
            {{ get_assert_columns_equivalent(compiled_code) }}
        {%- endif %}
        create or replace temporary view {{ relation.include(database=False, schema=False) }} as (
            {{ compiled_code }}
        )
    {%- else -%}
        {{ dbt.duckdb__create_table_as(
            temporary, relation, compiled_code, language, partitioned_by, sorted_by
        ) }}
    {%- endif -%}
{%- endmacro %}
