{% macro publish_assignments_to_parquet(published, path, order_by='as_of_date, user_id, window_days') %}
    {#-
        Writes `published` (a model, the rows the file holds after this
        run) to the Parquet file at `path`: the post-hook of a what-if's
        changed keys, and on Spark the publication of the Parquet exports
        (publish_parquet_output). Rows in (as_of_date, user_id, window_days)
        order, or `order_by` (a what-if's changed keys add scenario_id, so
        the file's bytes are reproducible).
    -#}
    {{- return(adapter.dispatch('publish_assignments_to_parquet', 'spendsense_personas')(published, path, order_by)) -}}
{% endmacro %}

{% macro default__publish_assignments_to_parquet(published, path, order_by) %}
    {#-
        DuckDB: one COPY from the model (a view) to a temporary file that is
        renamed over the old one, so a reader sees the old file or the new
        one. The view reads the old file while the copy runs; after the
        rename it reads the new one, which holds the same rows.
    -#}
    copy (
        select * from {{ published }}
        order by {{ order_by }}
    ) to {{ sql_string_literal(path) }} (format parquet, use_tmp_file true)
{%- endmacro %}
