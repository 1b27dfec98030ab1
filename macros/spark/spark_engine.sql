{#-
    Spark (dbt-spark) implementations of the project's engine macros where
    the default__ (ANSI / Spark-flavoured) one does not fit.
-#}

{% macro spark__to_json_text(struct_expression) -%}
    {#- Spark's to_json drops NULL fields by default; the trace keeps them ("severity": null). -#}
    to_json({{ struct_expression }}, map('ignoreNullFields', 'false'))
{%- endmacro %}
