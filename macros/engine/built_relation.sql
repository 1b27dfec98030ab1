{% macro built_relation(relation) %}
    {#-
        `relation` as the warehouse has it, for a model that reads it while
        it compiles (run_query). When it is not built yet: none while dbt
        only compiles (`dbt compile`, sqlfluff's templater, before the first
        build), and an error naming it in a run, which needs it.
    -#}
    {%- set found = load_relation(relation) -%}
    {%- if found is none and flags.WHICH in ('build', 'run') -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ ' reads ' ~ relation.identifier ~ ' while it compiles, and the warehouse '
            ~ 'has no ' ~ relation.identifier ~ ' yet: build them together, e.g. '
            ~ 'dbt build --select +' ~ model.name
        ) }}
    {%- endif -%}
    {{ return(found) }}
{% endmacro %}
