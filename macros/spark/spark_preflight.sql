{#-
    Spark (dbt-spark) versions of the preflight's file probes. DuckDB answers
    "does this file exist / is it Parquet" with glob(), read_blob() and
    parquet_file_metadata(); Spark SQL has none of them, and a query on a
    missing or broken file raises instead of returning a row. So each probe
    runs as a Spark SQL script whose EXIT HANDLER turns the error into a
    value (Spark 4 SQL scripting). Spark reads a folder of Parquet parts at
    the same path as a file, so `parquet.<path>` serves both.
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


{% macro spark__parquet_facts(path) %}
    {%- set facts = {'found': false, 'readable': false, 'columns': {}, 'row_count': none, 'relation': none} -%}
    {%- if spark_file_count(path) == 0 -%}
        {{ return(facts) }}
    {%- endif -%}
    {%- do facts.update({'found': true}) -%}
    {%- set row_count = spark_parquet_row_count(path) -%}
    {%- if row_count < 0 -%}
        {{ return(facts) }}
    {%- endif -%}
    {%- set relation = 'parquet.' ~ spark_path_literal(path) -%}
    {%- do facts.update({'readable': true, 'row_count': row_count, 'relation': relation}) -%}
    {%- for row in run_query('describe query select * from ' ~ relation).rows -%}
        {%- do facts.columns.update({row[0] | lower: spark_type_as_duckdb(row[1])}) -%}
    {%- endfor -%}
    {{ return(facts) }}
{% endmacro %}


{% macro spark__archetypes_file_exists() %}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(spark_file_count(path_var('archetypes_path')) > 0) }}
{% endmacro %}
