{% macro publish_assignments_to_parquet(published, path) %}
    {#-
        Post-hook of the Parquet export models (assignments after the SQLite
        export, transitions last): writes `published` (the model) to the
        Parquet file at `path` where the model's materialization has not
        already done so. On DuckDB the `external` materialization wrote the file (to a
        temporary name, then renamed over the old one), so nothing is left to do.
    -#}
    {{- return(adapter.dispatch('publish_assignments_to_parquet', 'spendsense_personas')(published, path)) -}}
{% endmacro %}

{% macro default__publish_assignments_to_parquet(published, path) %}
    {{- return('') -}}
{% endmacro %}
