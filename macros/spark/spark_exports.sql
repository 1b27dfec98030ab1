{#- Spark (dbt-spark) versions of the publication macros. -#}

{% macro spark__publish_assignments_to_parquet(published, path, order_by) %}
    {#-
        Spark writes the same columns and types as DuckDB's `external`
        Parquet export as a Parquet table: a folder at var parquet_path holding one part file
        (readable as a dataset by Spark, DuckDB, pyarrow or pandas). Spark
        writes into a staging folder and moves the files in at commit, and
        replaces what was at that path before. `published` is a table in the
        warehouse, so the previous output it kept rows from has been read
        in full before this overwrites it.
    -#}
    {%- set output = path.rstrip('/') -%}
    {%- for name in ['features_dir', 'archetypes_path'] -%}
        {%- set protected = path_var(name).rstrip('/') -%}
        {%- if protected == output or protected.startswith(output ~ '/') -%}
            {{ exceptions.raise_compiler_error(
                "The Parquet output " ~ output ~ " would replace the input at var " ~ name ~ " (" ~ protected
                ~ "): on Spark the Parquet output is a folder that is replaced whole. "
                ~ "Point parquet_path at its own folder, e.g. target/spark/persona_assignments.parquet."
            ) }}
        {%- endif -%}
    {%- endfor %}
    insert overwrite directory {{ sql_string_literal(output) }}
    using parquet
    select /*+ COALESCE(1) */ *
    from {{ published }}
    order by {{ order_by }}
{%- endmacro %}
