{% macro rule_threshold(name) %}
    {#-
        The threshold a persona rule compares a signal with: the value of
        var `name` (checked by threshold_var), or, in a what-if run, the
        column `name` of the scenario the row is evaluated for
        (int_rule_scenarios, whose columns every persona model carries), so
        that one query evaluates every candidate with the same rule.
    -#}
    {%- if what_if_mode() -%}
        {{ return(name) }}
    {%- endif -%}
    {{ return(threshold_var(name)) }}
{% endmacro %}
