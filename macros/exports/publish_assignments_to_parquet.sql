{% macro publish_assignments_to_parquet(published) %}
    {#-
        Post-hook of export_persona_assignments_parquet, which runs after the
        SQLite export: writes `published` (that model: every column of
        persona_assignments but the trace, with real types) to var
        parquet_path where the model's materialization has not already done
        so. On DuckDB the `external` materialization wrote the file (to a
        temporary name, then renamed over the old one), so nothing is left to do.
    -#}
    {{- return(adapter.dispatch('publish_assignments_to_parquet', 'spendsense_personas')(published)) -}}
{% endmacro %}

{% macro default__publish_assignments_to_parquet(published) %}
    {{- return('') -}}
{% endmacro %}
