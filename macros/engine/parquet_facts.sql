{% macro parquet_facts(path) %}
    {#-
        What the engine can tell about the Parquet data at `path` (a file, or
        a folder of Parquet parts): a dict with `found`, `readable`, `columns`
        (lower-case name -> DuckDB type name), `row_count` and `relation` (SQL
        usable after FROM that reads it). Never raises: the preflight's
        feature_file_problems turns the facts of an input into messages, and
        the Parquet export reads its previous output through `relation`.
    -#}
    {{- return(adapter.dispatch('parquet_facts', 'spendsense_personas')(path)) -}}
{% endmacro %}

{% macro duckdb__parquet_facts(path) %}
    {%- set facts = {'found': false, 'readable': false, 'columns': {}, 'row_count': none, 'relation': none} -%}
    {%- set files = run_query(
        'select file from glob(' ~ sql_string_literal(path) ~ ') union all '
        ~ 'select file from glob(' ~ sql_string_literal(path ~ '/**/*.parquet') ~ ') order by file'
    ).columns[0].values() | list -%}
    {%- if not files -%}
        {{ return(facts) }}
    {%- endif -%}
    {%- set quoted = [] -%}
    {%- for file in files -%}
        {%- do quoted.append(sql_string_literal(file)) -%}
    {%- endfor -%}
    {%- set file_list = '[' ~ quoted | join(', ') ~ ']' -%}
    {#- Parquet's magic bytes first, so a truncated or foreign file gets a message, not a reader error. -#}
    {%- set not_parquet = run_query(
        "select count(*) from read_blob(" ~ file_list ~ ") "
        ~ "where not (size >= 12 and content[1:4] = 'PAR1'::blob and content[-4:] = 'PAR1'::blob)"
    ).columns[0].values()[0] -%}
    {%- do facts.update({'found': true}) -%}
    {%- if not_parquet > 0 -%}
        {{ return(facts) }}
    {%- endif -%}
    {%- set relation = 'read_parquet(' ~ file_list ~ ', union_by_name = true, hive_partitioning = false)' -%}
    {%- do facts.update({'readable': true, 'relation': relation}) -%}
    {%- for row in run_query(
        'select column_name, column_type from (describe select * from ' ~ relation ~ ')'
    ).rows -%}
        {%- do facts.columns.update({row[0] | lower: row[1] | upper}) -%}
    {%- endfor -%}
    {%- do facts.update({'row_count': run_query(
        'select coalesce(sum(num_rows), 0) from parquet_file_metadata(' ~ file_list ~ ')'
    ).columns[0].values()[0]}) -%}
    {{ return(facts) }}
{% endmacro %}
