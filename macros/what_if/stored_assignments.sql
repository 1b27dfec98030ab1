{% macro stored_assignments() %}
    {#-
        The production persona_assignments table (the published assignments
        of every stored date), looked up in the target's schema rather than
        ref()'d: a what-if run reads it without depending on it, since the
        what-if's own persona models come before it in the DAG. None when the
        warehouse has none.
    -#}
    {{ return(adapter.get_relation(
        database=target.database, schema=target.schema, identifier='persona_assignments'
    )) }}
{% endmacro %}
