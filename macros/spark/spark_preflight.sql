{#-
    Spark (dbt-spark) versions of the on-run-start preflight and of the
    archetype-file check. DuckDB answers "does this file exist / is it
    Parquet" with glob(), read_blob() and parquet_file_metadata(); Spark SQL
    has none of them, and a query on a missing or broken file raises instead
    of returning a row. So each probe runs as a Spark SQL script whose EXIT
    HANDLER turns the error into a value (Spark 4 SQL scripting).

    The Spark preflight also registers every feature file (and the archetype
    file, when present) as a view named like its dbt source
    (epic2_features.<file>, demo_labels.user_archetypes) reading
    parquet.`<path>`, so `source()` in the staging models and the source
    tests resolves on Spark exactly as dbt-duckdb's external_location does on
    DuckDB.
-#}

{% macro spark_path_literal(path) %}
    {#- A path as a Spark `quoted` file identifier; path_var already refused quotes and backslashes. -#}
    {%- if '`' in path -%}
        {{ exceptions.raise_compiler_error(
            "Path <" ~ path ~ "> contains a backquote, which the Spark target refuses in paths. "
            ~ "Rename or link the folder to a path without one."
        ) }}
    {%- endif -%}
    {{- return('`' ~ path ~ '`') -}}
{% endmacro %}


{% macro spark_file_count(path) %}
    {#- How many files exist at `path` (0 when nothing is there); never raises. -#}
    {%- set script -%}
BEGIN
  DECLARE file_count BIGINT DEFAULT 0;
  BEGIN
    DECLARE EXIT HANDLER FOR SQLEXCEPTION SET file_count = 0;
    SET file_count = (SELECT count(*) FROM binaryFile.{{ spark_path_literal(path) }});
  END;
  SELECT file_count;
END
    {%- endset -%}
    {{ return(run_query(script).columns[0].values()[0]) }}
{% endmacro %}


{% macro spark_parquet_row_count(path) %}
    {#- Rows of the Parquet file at `path`, or -1 when Spark cannot read it as Parquet. -#}
    {%- set script -%}
BEGIN
  DECLARE row_count BIGINT DEFAULT -1;
  BEGIN
    DECLARE EXIT HANDLER FOR SQLEXCEPTION SET row_count = -1;
    SET row_count = (SELECT count(*) FROM parquet.{{ spark_path_literal(path) }});
  END;
  SELECT row_count;
END
    {%- endset -%}
    {{ return(run_query(script).columns[0].values()[0]) }}
{% endmacro %}


{% macro spark_type_as_duckdb(spark_type) %}
    {#- Spark's name of a Parquet column type, as the DuckDB name feature_type_is_compatible expects. -#}
    {%- set name = spark_type | lower -%}
    {%- set names = {
        'string': 'VARCHAR', 'tinyint': 'TINYINT', 'smallint': 'SMALLINT', 'int': 'INTEGER',
        'bigint': 'BIGINT', 'float': 'FLOAT', 'double': 'DOUBLE', 'boolean': 'BOOLEAN',
        'date': 'DATE', 'timestamp': 'TIMESTAMP WITH TIME ZONE', 'timestamp_ntz': 'TIMESTAMP',
    } -%}
    {%- if name.startswith('decimal') -%}
        {{ return(name | upper) }}
    {%- elif name.startswith('varchar') or name.startswith('char') -%}
        {{ return('VARCHAR') }}
    {%- endif -%}
    {{ return(names.get(name, name | upper)) }}
{% endmacro %}


{% macro spark_register_parquet_source(source_node, path) %}
    {#- (Re)create the view that dbt's source() names on Spark, reading the Parquet file at `path`. -#}
    {%- set relation = api.Relation.create(schema=source_node.schema, identifier=source_node.identifier) -%}
    {%- do run_query('create schema if not exists ' ~ source_node.schema) -%}
    {%- do run_query(
        'create or replace view ' ~ relation ~ ' as select * from parquet.' ~ spark_path_literal(path)
    ) -%}
{% endmacro %}


{% macro spark__archetypes_file_exists() %}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(spark_file_count(path_var('archetypes_path')) > 0) }}
{% endmacro %}


{% macro spark__assert_feature_files_readable() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set problems = [] -%}
    {%- set readable = [] -%}
    {%- for source_node in graph.sources.values() | selectattr('source_name', 'equalto', 'epic2_features') -%}
        {%- set path = feature_file_path(source_node.name) -%}
        {%- set facts = {'found': spark_file_count(path) > 0, 'readable': false, 'columns': {}, 'row_count': none} -%}
        {%- if facts.found -%}
            {%- set row_count = spark_parquet_row_count(path) -%}
            {%- if row_count >= 0 -%}
                {%- do facts.update({'readable': true, 'row_count': row_count}) -%}
                {%- for row in run_query(
                    'describe query select * from parquet.' ~ spark_path_literal(path)
                ).rows -%}
                    {%- do facts.columns.update({row[0] | lower: spark_type_as_duckdb(row[1])}) -%}
                {%- endfor -%}
                {%- do readable.append((source_node, path)) -%}
            {%- endif -%}
        {%- endif -%}
        {%- do problems.extend(feature_file_problems(path, source_node, facts)) -%}
    {%- endfor -%}
    {%- do raise_feature_file_problems(problems) -%}
    {%- for source_node, path in readable -%}
        {%- do spark_register_parquet_source(source_node, path) -%}
    {%- endfor -%}
    {%- do assert_requested_as_of_date_present(readable | map(attribute=1) | list) -%}
    {%- if spark__archetypes_file_exists() -%}
        {%- for source_node in graph.sources.values() | selectattr('source_name', 'equalto', 'demo_labels') -%}
            {%- do spark_register_parquet_source(source_node, path_var('archetypes_path')) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
