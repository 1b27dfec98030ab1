{#-
    The Spark (dbt-spark) version of parquet_facts. DuckDB answers "does this
    file exist / is it Parquet" with glob(), the plugin's is_parquet_file() and
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


{% macro spark__parquet_facts(path) %}
    {%- set facts = {'found': false, 'readable': false, 'columns': {}, 'row_count': none, 'relation': none} -%}
    {%- set probe -%}
BEGIN
  DECLARE file_count BIGINT DEFAULT 0;
  DECLARE row_count BIGINT DEFAULT -1;
  BEGIN
    DECLARE EXIT HANDLER FOR SQLEXCEPTION SET file_count = 0;
    SET file_count = (SELECT count(*) FROM binaryFile.{{ spark_path_literal(path) }});
  END;
  BEGIN
    DECLARE EXIT HANDLER FOR SQLEXCEPTION SET row_count = -1;
    SET row_count = (SELECT count(*) FROM parquet.{{ spark_path_literal(path) }});
  END;
  SELECT file_count, row_count;
END
    {%- endset -%}
    {%- set file_count, row_count = run_query(probe).rows[0] -%}
    {%- do facts.update({'found': file_count > 0}) -%}
    {%- if file_count == 0 or row_count < 0 -%}
        {{ return(facts) }}
    {%- endif -%}
    {%- set relation = 'parquet.' ~ spark_path_literal(path) -%}
    {#- the file each row came from (a URI: file:///...), for the folder layout's dates -#}
    {%- do facts.update({
        'readable': true, 'row_count': row_count, 'relation': relation, 'file_column': '_metadata.file_path',
    }) -%}
    {#- Spark's type names, as the DuckDB names feature_type_is_compatible expects. -#}
    {%- set duckdb_names = {
        'string': 'VARCHAR', 'tinyint': 'TINYINT', 'smallint': 'SMALLINT', 'int': 'INTEGER',
        'bigint': 'BIGINT', 'float': 'FLOAT', 'double': 'DOUBLE', 'boolean': 'BOOLEAN',
        'date': 'DATE', 'timestamp': 'TIMESTAMP WITH TIME ZONE', 'timestamp_ntz': 'TIMESTAMP',
    } -%}
    {%- for row in run_query('describe query select * from ' ~ relation).rows -%}
        {%- set spark_type = row[1] | lower -%}
        {%- set duckdb_type = spark_type | upper if spark_type.startswith('decimal')
            else 'VARCHAR' if spark_type.startswith('varchar') or spark_type.startswith('char')
            else duckdb_names.get(spark_type, spark_type | upper) -%}
        {%- do facts.columns.update({row[0] | lower: duckdb_type}) -%}
    {%- endfor -%}
    {{ return(facts) }}
{% endmacro %}
