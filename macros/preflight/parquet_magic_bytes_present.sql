{% macro parquet_magic_bytes_present(path) %}
    {#-
        Whether the file starts and ends with Parquet's magic bytes "PAR1".
        Checked before reading the schema so that a truncated or foreign file
        gets a message saying what to do, not a reader error.
    -#}
    {%- set checked = run_query(
        "select size >= 12 and content[1:4] = 'PAR1'::blob and content[-4:] = 'PAR1'::blob "
        ~ "from read_blob(" ~ sql_string_literal(path) ~ ")"
    ) -%}
    {{ return(checked.columns[0].values()[0] is sameas true) }}
{% endmacro %}
