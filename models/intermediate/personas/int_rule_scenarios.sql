{#-
    The rule sets this run evaluates, one row each: scenario 0, the current
    thresholds (the vars), and in a what-if run every candidate of var
    what_if (what_if_scenarios). Every persona model crosses its signals with
    these rows, so one query evaluates every candidate with the same rules;
    a production run has scenario 0 alone.
-#}
-- depends_on: {{ ref('personas') }}
{%- set scenarios = what_if_scenarios() %}

with

scenarios as (

    {% for scenario in scenarios -%}
    select
        {{ scenario.scenario_id }} as scenario_id,
        {{ sql_string_literal(scenario.scenario) }} as scenario,
        {{ sql_string_literal(local_md5(ruleset_definition(scenario.thresholds))[:12]) }} as ruleset_version,
        {% for name in scenario.thresholds | sort %}
        cast({{ scenario.thresholds[name] }} as double) as {{ name }}
        {%- if not loop.last %},{% endif %}
        {% endfor %}
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

)

select * from scenarios
