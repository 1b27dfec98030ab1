{% macro restore_warehouse_threads() %}
    {{- return(adapter.dispatch('restore_warehouse_threads', 'spendsense_personas')()) -}}
{% endmacro %}

{% macro default__restore_warehouse_threads() %}
    {{- return('') -}}
{% endmacro %}

{% macro duckdb__restore_warehouse_threads() %}
    {#-
        Post-hook of persona_gate_violations, and on-run-end (a gate that
        failed skips its post-hook): DuckDB's threads as the profile set
        them (its `settings`), or DuckDB's default (one per core).
    -#}
    {%- set configured = (target.get('settings') or {}).get('threads') -%}
    {{- return('set threads = ' ~ configured if configured is not none else 'reset threads') -}}
{% endmacro %}
