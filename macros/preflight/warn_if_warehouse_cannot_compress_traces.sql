{% macro warn_if_warehouse_cannot_compress_traces() %}
    {{- return(adapter.dispatch('warn_if_warehouse_cannot_compress_traces', 'spendsense_personas')()) -}}
{% endmacro %}

{% macro default__warn_if_warehouse_cannot_compress_traces() %}
    {{- return('') -}}
{% endmacro %}

{% macro duckdb__warn_if_warehouse_cannot_compress_traces() %}
    {#-
        Run from on-run-start. profiles.yml creates the warehouse with DuckDB
        storage v1.2.0, the first that stores strings with ZSTD, which the
        trace column asks for. A warehouse file created by DuckDB's default
        (storage v1.0.0, e.g. by an older version of this project) keeps its
        format, and DuckDB then stores the traces uncompressed without a
        word: about 20 times the disk and a slower build. Say so, and how to
        fix it.
    -#}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set storage_versions_without_zstd = ['v1.0.0+', 'v1.1.0+'] -%}
    {%- set storage_version = run_query(
        "select tags['storage_version'] from duckdb_databases() "
        ~ "where database_name = current_database()"
    ).columns[0].values()[0] -%}
    {%- if storage_version in storage_versions_without_zstd -%}
        {%- do exceptions.warn(
            "The DuckDB warehouse " ~ target.path ~ " uses storage " ~ storage_version
            ~ ", which cannot compress strings with ZSTD: persona_assignments stores its traces "
            ~ "uncompressed (about 20x the disk, and slower). Delete that file (`make clean` "
            ~ "removes target/) and run again; dbt recreates it with storage v1.2.0 (profiles.yml)."
        ) -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
