{% macro feature_file_problems(path, source_node, facts) %}
    {#-
        The problems of one feature file, as messages that name the file and
        the column and say what to do. Engine-neutral: each engine's preflight
        reads the facts (`found`, `readable`, `columns` as a dict of lower-case
        name -> DuckDB type name, `row_count`) and this macro judges them, so
        DuckDB and Spark report the same problems in the same words.
    -#}
    {%- if not facts.found -%}
        {{ return([
            "Feature file " ~ path ~ " not found (source epic2_features." ~ source_node.name ~ "). "
            ~ "Put the Epic 2 export there, or point var features_dir at its folder; "
            ~ "`make data` writes demo files."
        ]) }}
    {%- endif -%}
    {%- if not facts.readable -%}
        {{ return([
            "Feature file " ~ path ~ " is not a readable Parquet file (empty, truncated or "
            ~ "another format). Re-export it from Epic 2 as Parquet, then re-run."
        ]) }}
    {%- endif -%}
    {#-
        The Parquet types (as DuckDB names them) each declared type can be
        staged from: any number for integer and double (window_days 30.0 is
        fine; the preflight refuses 30.4), a date, timestamp or ISO text for
        date.
    -#}
    {%- set numbers = ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT',
        'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT', 'FLOAT', 'DOUBLE', 'DECIMAL'] -%}
    {%- set stageable = {
        'integer': numbers,
        'double': numbers,
        'boolean': ['BOOLEAN'],
        'date': ['DATE', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'TIMESTAMP_S', 'TIMESTAMP_MS',
            'TIMESTAMP_NS', 'VARCHAR'],
        'varchar': ['VARCHAR'],
    } -%}
    {%- set problems = [] -%}
    {%- for column in source_node.columns.values() -%}
        {%- set actual = facts.columns.get(column.name | lower) -%}
        {%- if actual is none -%}
            {%- do problems.append(
                "Feature file " ~ path ~ " has no column '" ~ column.name ~ "' ("
                ~ column.data_type ~ "), which the contract requires. "
                ~ "Columns present: " ~ (facts.columns.keys() | sort | join(', ')) ~ "."
            ) -%}
        {%- elif actual.split('(')[0] not in stageable[column.data_type | lower] -%}
            {%- do problems.append(
                "Feature file " ~ path ~ " column '" ~ column.name ~ "' has type " ~ actual
                ~ ", expected " ~ column.data_type ~ ". Fix the type in the Epic 2 export."
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if facts.row_count == 0 -%}
        {%- do problems.append(
            "Feature file " ~ path ~ " has no rows: every user would lose this signal. "
            ~ "An empty export usually means the Epic 2 run failed; re-run it, then this."
        ) -%}
    {%- endif -%}
    {{ return(problems) }}
{% endmacro %}
