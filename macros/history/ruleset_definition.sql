{% macro ruleset_definition(thresholds=none) %}
    {#-
        Every setting that decides an assignment, as canonical JSON (keys
        sorted, numbers as floats so that 200 and 200.0 are the same): each
        threshold var, the windows, days_per_month and the personas seed's
        rows. persona_ruleset hashes it into the ruleset version.
        `thresholds`: the threshold values to describe instead of the vars'
        (a what-if scenario's, int_rule_scenarios).
    -#}
    {%- set definition = {
        'thresholds': {},
        'windows': configured_windows(),
        'days_per_month': threshold_var('days_per_month', unit='days', divisor=true) | float,
        'personas': [],
    } -%}
    {%- for name in persona_thresholds() | sort -%}
        {#- as numbers, so 200 and 200.0 give the same version -#}
        {%- set value = threshold_var(name) if thresholds is none else thresholds[name] -%}
        {%- do definition.thresholds.update({name: value | float}) -%}
    {%- endfor -%}
    {%- set personas = built_relation(ref('personas')) if execute else none -%}
    {%- if personas is not none -%}
        {%- for row in run_query(
            'select persona_id, persona_name, priority from ' ~ personas ~ ' order by persona_id'
        ).rows -%}
            {%- do definition.personas.append([row[0] | int, row[1], row[2]]) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(tojson(definition, sort_keys=true)) }}
{% endmacro %}
