{% macro generate_schema_name(custom_schema_name, node) -%}
    {#-
        dbt's schema naming (the target's schema, or <target schema>_<custom>
        for a model configured with a schema), with one addition: in a
        what-if run (what_if_mode) the models tagged what_if are built into
        <target schema>_what_if, so a what-if never replaces a production
        relation. Every other model keeps its production schema, which the
        what-if models read.
    -#}
    {%- if what_if_mode() and 'what_if' in (node.config.tags if node.config is defined else []) -%}
        {{ target.schema }}_what_if
    {%- elif custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ target.schema }}_{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
