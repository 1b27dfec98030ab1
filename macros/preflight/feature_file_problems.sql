{% macro feature_file_problems(source_node, facts) %}
    {#-
        The problems of one feature file, as messages that name the file and
        the column and say what to do. Engine-neutral: each engine reads the
        facts (feature_file_facts: `path`, `found`, `readable`, `columns` as
        a dict of lower-case name -> DuckDB type name, `missing_in`,
        `row_count`, `dated`) and this macro judges them, so DuckDB and Spark
        report the same problems in the same words.
    -#}
    {%- set path = facts.path -%}
    {%- if facts.both_layouts -%}
        {{ return([
            "Feature file " ~ source_node.name ~ ".parquet is in " ~ var('features_dir') ~ " twice: as "
            ~ feature_file_path(source_node.name) ~ " and in as_of_date=YYYY-MM-DD folders. Keep one "
            ~ "layout: the five files with every date in them, or one folder per date."
        ]) }}
    {%- endif -%}
    {%- if not facts.found -%}
        {{ return([
            "Feature file " ~ path ~ " not found (source epic2_features." ~ source_node.name ~ "), "
            ~ "neither as a file (or a folder of Parquet parts) nor in as_of_date=YYYY-MM-DD folders. "
            ~ "Put the Epic 2 export there, or point var features_dir at its folder; "
            ~ "`make data` writes demo files."
        ]) }}
    {%- endif -%}
    {%- if not facts.readable -%}
        {%- set unreadable = facts.get('unreadable_files') or [path] -%}
        {{ return([
            "Feature file " ~ (unreadable[0] if facts.dated else path) ~ " is not a readable Parquet "
            ~ "file (empty, truncated or another format)"
            ~ (" (nor are " ~ (unreadable | length - 1) ~ " more)" if unreadable | length > 1 else "")
            ~ ". Re-export it from Epic 2 as Parquet, then re-run."
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
    {%- for column in source_node.columns.values()
        if column.name != 'source_file' and not (column.name == 'as_of_date' and facts.dated) -%}
        {%- set actual = facts.columns.get(column.name | lower) -%}
        {%- set lacking = facts.get('missing_in', {}).get(column.name | lower, []) -%}
        {%- if lacking -%}
            {%- do problems.append(
                "Feature file " ~ lacking[0] ~ " has no column '" ~ column.name ~ "' ("
                ~ column.data_type ~ "), which the contract requires"
                ~ (" (nor do " ~ (lacking | length - 1) ~ " more of its files)" if lacking | length > 1 else "")
                ~ ". Re-export it from Epic 2 with every column."
            ) -%}
        {%- elif actual is none -%}
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
