{% macro what_if_mode() %}
    {#-
        Whether this run is a what-if (var what_if holds candidate
        thresholds): then the models tagged what_if are built into their own
        schema (generate_schema_name), the persona models compare every
        signal with each scenario's thresholds (rule_threshold), and nothing
        is published. Read at parse time too: the schema depends on it.
    -#}
    {%- set requested = var('what_if', none) -%}
    {{ return(requested is not none and requested != {}) }}
{% endmacro %}
