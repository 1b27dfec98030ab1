{% macro register_source_relation(source_node, facts) %}
    {#-
        (Re)create the view that dbt's source() names for `source_node` over
        the file(s) `facts` found (feature_file_facts, parquet_facts): the
        source's declared columns (columns a file has beyond the contract
        are left out, so the source shows exactly what the pipeline reads),
        with `source_file`, the file each row came from, for the input
        tests' messages. In the folder layout the folder's date is
        as_of_date; a declared column marked `meta: {optional: true}` that
        the file lacks is NULL. Returns the view's relation.
    -#}
    {%- set relation = api.Relation.create(
        database=source_node.database, schema=source_node.schema, identifier=source_node.identifier
    ) -%}
    {%- do adapter.create_schema(relation) -%}
    {%- set columns = [] -%}
    {%- for column in source_node.columns.values() -%}
        {%- if column.name == 'source_file' -%}
            {%- do columns.append(
                (('regexp_extract(' ~ facts.file_column ~ ", '^(.*/as_of_date=[^/]*/"
                    ~ source_node.name ~ "[.]parquet)', 1)") if facts.dated
                    else sql_string_literal(facts.path)) ~ ' as source_file') -%}
        {%- elif column.name == 'as_of_date' and facts.dated -%}
            {%- do columns.append(folder_date_expression(facts.file_column) ~ ' as as_of_date') -%}
        {%- elif column.name | lower not in facts.columns and (column.meta or {}).get('optional') -%}
            {%- do columns.append('cast(null as ' ~ column.data_type ~ ') as ' ~ column.name) -%}
        {%- else -%}
            {%- do columns.append(column.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do run_query(
        'create or replace view ' ~ relation ~ ' as select ' ~ columns | join(', ') ~ ' from ' ~ facts.relation
    ) -%}
    {{ return(relation) }}
{% endmacro %}
