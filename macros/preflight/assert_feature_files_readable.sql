{% macro assert_feature_files_readable() %}
    {{- return(adapter.dispatch('assert_feature_files_readable', 'spendsense_personas')()) -}}
{% endmacro %}

{% macro duckdb__assert_feature_files_readable() %}
    {#-
        Run from on-run-start, before any model: every Epic 2 feature file
        declared as a source exists, is Parquet, and has every column the
        source declares with a compatible type; and a requested as_of_date is
        present. Each problem names the file and the column and says what to
        do, instead of surfacing as a binder error deep inside a model.
    -#}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set problems = [] -%}
    {%- set readable_paths = [] -%}
    {%- for source_node in graph.sources.values() | selectattr('source_name', 'equalto', 'epic2_features') -%}
        {%- set path = feature_file_path(source_node.name) -%}
        {%- set facts = {'found': false, 'readable': false, 'columns': {}, 'row_count': none} -%}
        {%- do facts.update({'found': run_query(
            'select count(*) from glob(' ~ sql_string_literal(path) ~ ')'
        ).columns[0].values()[0] > 0}) -%}
        {%- if facts.found and parquet_magic_bytes_present(path) -%}
            {%- do facts.update({'readable': true}) -%}
            {%- do readable_paths.append(path) -%}
            {%- for row in run_query(
                'select column_name, column_type from (describe select * from read_parquet('
                ~ sql_string_literal(path) ~ '))'
            ).rows -%}
                {%- do facts.columns.update({row[0] | lower: row[1] | upper}) -%}
            {%- endfor -%}
            {%- do facts.update({'row_count': run_query(
                'select coalesce(sum(num_rows), 0) from parquet_file_metadata('
                ~ sql_string_literal(path) ~ ')'
            ).columns[0].values()[0]}) -%}
        {%- endif -%}
        {%- do problems.extend(feature_file_problems(path, source_node, facts)) -%}
    {%- endfor -%}
    {%- do raise_feature_file_problems(problems) -%}
    {%- do assert_requested_as_of_date_present(readable_paths) -%}
    {{ return('') }}
{% endmacro %}
