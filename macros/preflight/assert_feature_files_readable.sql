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
        {%- set found = run_query('select count(*) from glob(' ~ sql_string_literal(path) ~ ')').columns[0].values()[0] -%}
        {%- if found == 0 -%}
            {%- do problems.append(
                "Feature file " ~ path ~ " not found (source epic2_features." ~ source_node.name ~ "). "
                ~ "Put the Epic 2 export there, or point var features_dir at its folder; "
                ~ "`make data` writes demo files."
            ) -%}
        {%- elif not parquet_magic_bytes_present(path) -%}
            {%- do problems.append(
                "Feature file " ~ path ~ " is not a readable Parquet file (empty, truncated or "
                ~ "another format). Re-export it from Epic 2 as Parquet, then re-run."
            ) -%}
        {%- else -%}
            {%- do readable_paths.append(path) -%}
            {%- set described = run_query(
                'select column_name, column_type from (describe select * from read_parquet('
                ~ sql_string_literal(path) ~ '))'
            ) -%}
            {%- set present = {} -%}
            {%- for row in described.rows -%}
                {%- do present.update({row[0] | lower: row[1] | upper}) -%}
            {%- endfor -%}
            {%- for column in source_node.columns.values() -%}
                {%- set actual = present.get(column.name | lower) -%}
                {%- if actual is none -%}
                    {%- do problems.append(
                        "Feature file " ~ path ~ " has no column '" ~ column.name ~ "' ("
                        ~ column.data_type ~ "), which the contract requires. "
                        ~ "Columns present: " ~ (present.keys() | sort | join(', ')) ~ "."
                    ) -%}
                {%- elif not feature_type_is_compatible(column.data_type, actual) -%}
                    {%- do problems.append(
                        "Feature file " ~ path ~ " column '" ~ column.name ~ "' has type " ~ actual
                        ~ ", expected " ~ column.data_type ~ ". Fix the type in the Epic 2 export."
                    ) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- set row_count = run_query(
                'select coalesce(sum(num_rows), 0) from parquet_file_metadata('
                ~ sql_string_literal(path) ~ ')'
            ).columns[0].values()[0] -%}
            {%- if row_count == 0 -%}
                {%- do problems.append(
                    "Feature file " ~ path ~ " has no rows: every user would lose this signal. "
                    ~ "An empty export usually means the Epic 2 run failed; re-run it, then this."
                ) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "The feature files cannot be read as the contract requires:\n  - "
            ~ (problems | join('\n  - '))
        ) }}
    {%- endif -%}
    {%- do assert_requested_as_of_date_present(readable_paths) -%}
    {{ return('') }}
{% endmacro %}
