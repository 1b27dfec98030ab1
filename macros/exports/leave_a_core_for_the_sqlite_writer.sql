{% macro leave_a_core_for_the_sqlite_writer() %}
    {{- return(adapter.dispatch('leave_a_core_for_the_sqlite_writer', 'spendsense_personas')()) -}}
{% endmacro %}

{% macro default__leave_a_core_for_the_sqlite_writer() %}
    {{- return('') -}}
{% endmacro %}

{% macro duckdb__leave_a_core_for_the_sqlite_writer() %}
    {#-
        Pre-hook of persona_gate_violations. The gate runs beside the SQLite
        write (export_persona_assignments_sqlite_staged), whose writer is one
        thread that cannot be split, and the gate finishes first anyway: on
        every core DuckDB has, the two fought for the writer's core. The gate
        gets one core less (never fewer than one), and its post-hook
        (restore_warehouse_threads) gives it back. 2 cores, 1M users: the
        SQLite write 16.0-17.4 s instead of 18.6-18.7, the build 48.9-49.7 s
        instead of 51.3-54.0 (docs/decisions.md).
    -#}
    {%- if not execute or not sqlite_export_enabled() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set threads = run_query("select current_setting('threads')").columns[0].values()[0] | int -%}
    {{- return('set threads = ' ~ ([threads - 1, 1] | max)) -}}
{% endmacro %}
