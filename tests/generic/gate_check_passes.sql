{% test gate_check_passes(model, check_name) %}
{#-
    One validation criterion of the gate: the rows of persona_gate_violations
    for `check_name`. Fails (and so blocks the exports) when any exist, and
    logs the first few so the failure names the users involved. A check that
    does not apply to this run (persona_gate_checks) has no rows; the test
    logs that it was skipped and why.
-#}
-- depends_on: {{ ref('persona_gate_checks') }}
{% set violations_sql -%}
    select * from {{ model }}
    where check_name = {{ sql_string_literal(check_name) }}
{%- endset -%}
{%- if execute -%}
    {%- set skipped = run_query(
        'select skip_reason from ' ~ ref('persona_gate_checks')
        ~ ' where not is_applied and check_name = ' ~ sql_string_literal(check_name)
    ) -%}
    {%- for row in skipped.rows -%}
        {{ log("Notice: gate check " ~ check_name ~ " skipped: " ~ row[0] ~ ".", info=true) }}
    {%- endfor -%}
    {%- set examples = run_query(violations_sql ~ ' order by user_id, window_days limit 5') -%}
    {%- for row in examples.rows -%}
        {#- a check of a whole date (the drift check) has no user; its detail names the window -#}
        {{ log("Gate check " ~ check_name ~ " failed"
            ~ ((": user " ~ row['user_id']
                ~ (" (" ~ row['window_days'] ~ "-day window)" if row['window_days'] is not none else "")
                ~ (" as of " ~ row['as_of_date'] if row['as_of_date'] is not none else ""))
                if row['user_id'] is not none else "")
            ~ ": " ~ row['detail'], info=true) }}
    {%- endfor -%}
{%- endif -%}

{{ violations_sql }}

{% endtest %}
