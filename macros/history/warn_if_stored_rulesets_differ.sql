{% macro warn_if_stored_rulesets_differ(plan) %}
    {#-
        Called by the stored_pairs_use_current_ruleset test on
        int_evaluation_plan (`plan`): when pairs this run does not evaluate
        were published with another ruleset than this run's, logs which
        dates were evaluated with which version and how to re-evaluate
        them. Stored assignments never mix rulesets silently.
    -#}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set stale = run_query(
        'select published_ruleset_version, ruleset_version, '
        ~ 'cast(min(as_of_date) as string), cast(max(as_of_date) as string), '
        ~ 'count(distinct as_of_date) from ' ~ plan
        ~ ' where not is_evaluated and published_ruleset_version != ruleset_version'
        ~ ' group by published_ruleset_version, ruleset_version order by 3'
    ).rows -%}
    {%- if stale | length > 0 -%}
        {%- set lines = [] -%}
        {%- for row in stale -%}
            {%- do lines.append(
                (row[4] | string) ~ " as_of_date(s) from " ~ row[2] ~ " to " ~ row[3]
                ~ " were evaluated with ruleset " ~ row[0]
            ) -%}
        {%- endfor -%}
        {{ log(
            "Warning: stored assignments were decided by other rules than this run's (ruleset "
            ~ stale[0][1] ~ "): " ~ lines | join('; ') ~ ". This run evaluates only new or changed "
            ~ "dates and keeps those as they are, so the history mixes rulesets (every row says "
            ~ "which, in ruleset_version). To re-evaluate every date with the current rules run "
            ~ "`dbt build --full-refresh` (or `make run ARGS=--full-refresh`).", info=true
        ) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
