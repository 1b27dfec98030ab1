{% macro register_source_relation(source_node, file_relation) %}
    {#-
        (Re)create the view that dbt's source() names for `source_node`,
        selecting the source's declared columns from `file_relation` (what
        parquet_facts found: the Parquet file, or its parts). Columns a
        file has beyond the contract are left out, so the source shows
        exactly what the pipeline reads. Returns the view's relation.
    -#}
    {%- set relation = api.Relation.create(
        database=source_node.database, schema=source_node.schema, identifier=source_node.identifier
    ) -%}
    {%- do adapter.create_schema(relation) -%}
    {%- set columns = source_node.columns.keys() | list -%}
    {%- do run_query(
        'create or replace view ' ~ relation ~ ' as select ' ~ columns | join(', ') ~ ' from ' ~ file_relation
    ) -%}
    {{ return(relation) }}
{% endmacro %}
