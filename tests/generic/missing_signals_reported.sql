{% test missing_signals_reported(model) %}
{#-
    Warning-level: keys that are still assigned although one or more feature
    files have no row for them. Returns one row per missing signal with the
    number of keys affected, and logs the same summary so the warning says
    how many keys and which signals.
-#}
{%- set signals = feature_file_names() -%}
{%- set summary_sql -%}
    {%- for signal in signals %}
    select
        '{{ signal }}' as missing_signal,
        count(*) as key_count,
        min(user_id) as example_user_id

    from {{ model }}
    where not has_{{ signal }}_signal
    having count(*) > 0
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endset -%}
{%- if execute -%}
    {%- set summary = run_query(summary_sql) -%}
    {%- if summary.rows | length > 0 -%}
        {%- set parts = [] -%}
        {%- for row in summary.rows -%}
            {%- do parts.append(row[0] ~ ': ' ~ row[1] ~ ' keys (e.g. user ' ~ row[2] ~ ')') -%}
        {%- endfor -%}
        {{ log("Warning: missing signals, assigned anyway with those criteria failing - "
            ~ parts | join('; '), info=true) }}
    {%- endif -%}
{%- endif -%}

{{ summary_sql }}

{% endtest %}
