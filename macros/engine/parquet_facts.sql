{% macro parquet_facts(path) %}
    {#-
        What the engine can tell about the Parquet data at `path` (a file, or
        a folder of Parquet parts): a dict with `found`, `readable`, `columns`
        (lower-case name -> DuckDB type name), `row_count`, `relation` (SQL
        usable after FROM that reads it), `file_column` (the column of
        `relation` that names each row's file) and, when it is several
        files, `missing_in` (column -> the files that lack it). `path` may
        be a glob. Never raises: the preflight's
        feature_file_problems turns the facts of an input into messages, and
        the Parquet export reads its previous output through `relation`.
    -#}
    {{- return(adapter.dispatch('parquet_facts', 'spendsense_personas')(path)) -}}
{% endmacro %}

{% macro duckdb__parquet_facts(path) %}
    {%- set facts = {'found': false, 'readable': false, 'columns': {}, 'row_count': none, 'relation': none} -%}
    {#- A glob can name a folder of parts as well as the parts in it: keep the files only. -#}
    {%- set files = run_query(
        'with found as (select file from glob(' ~ sql_string_literal(path) ~ ') union '
        ~ 'select file from glob(' ~ sql_string_literal(path ~ '/**/*.parquet') ~ ')) '
        ~ 'select file from found where not exists '
        ~ "(select 1 from found as inside where starts_with(inside.file, found.file || '/')) "
        ~ 'order by file'
    ).columns[0].values() | list -%}
    {%- if not files -%}
        {{ return(facts) }}
    {%- endif -%}
    {%- set quoted = [] -%}
    {%- for file in files -%}
        {%- do quoted.append(sql_string_literal(file)) -%}
    {%- endfor -%}
    {%- set file_list = '[' ~ quoted | join(', ') ~ ']' -%}
    {#-
        Parquet's magic bytes first, so a truncated or foreign file gets a message, not a reader
        error. is_parquet_file (plugins/publication.py) reads the eight bytes; read_blob would
        read every file whole.
    -#}
    {%- set not_parquet = run_query(
        "select file from unnest(" ~ file_list ~ ") as files(file) "
        ~ "where not is_parquet_file(file) order by file"
    ).columns[0].values() | list -%}
    {%- do facts.update({'found': true, 'unreadable_files': not_parquet}) -%}
    {%- if not_parquet -%}
        {{ return(facts) }}
    {%- endif -%}
    {%- set relation = 'read_parquet(' ~ file_list ~ ', union_by_name = true, hive_partitioning = false, '
        ~ 'filename = true)' -%}
    {%- do facts.update({'readable': true, 'relation': relation, 'file_column': 'filename', 'missing_in': {}}) -%}
    {%- for row in run_query(
        'select column_name, column_type from (describe select * from ' ~ relation ~ ') '
        ~ "where column_name != 'filename'"
    ).rows -%}
        {%- do facts.columns.update({row[0] | lower: row[1] | upper}) -%}
    {%- endfor -%}
    {#- With several files, union_by_name fills a column one of them lacks with NULL: name those files. -#}
    {%- if files | length > 1 -%}
        {%- for row in run_query(
            'with names as (select file_name, lower(name) as column_name from parquet_schema('
            ~ file_list ~ ')), files as (select distinct file_name from names), '
            ~ 'columns as (select distinct column_name from names) '
            ~ 'select columns.column_name, list(files.file_name order by files.file_name) from columns '
            ~ 'cross join files anti join names using (file_name, column_name) group by 1'
        ).rows -%}
            {%- do facts.missing_in.update({row[0]: row[1] | list}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- do facts.update({'row_count': run_query(
        'select coalesce(sum(num_rows), 0) from parquet_file_metadata(' ~ file_list ~ ')'
    ).columns[0].values()[0]}) -%}
    {{ return(facts) }}
{% endmacro %}
