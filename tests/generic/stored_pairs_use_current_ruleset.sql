{% test stored_pairs_use_current_ruleset(model) %}
{#-
    On int_evaluation_plan, severity warn: the stored (as_of_date,
    window_days) pairs this run keeps as they are although they were
    published with another ruleset than this run's. Logs which dates were
    evaluated with which version and how to re-evaluate them
    (warn_if_stored_rulesets_differ).
-#}
{{ warn_if_stored_rulesets_differ(model) }}

select
    as_of_date,
    window_days,
    published_ruleset_version,
    ruleset_version

from {{ model }}
where not is_evaluated and published_ruleset_version != ruleset_version
{% endtest %}
