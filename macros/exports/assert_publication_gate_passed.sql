{% macro assert_publication_gate_passed() %}
    {#-
        Pre-hook of the export models. Reads persona_gate_result and refuses
        to publish unless the gate was evaluated in this very invocation and
        found no violation. `dbt build` already skips the exports when a gate
        test fails; this keeps the gate under `dbt run` and under selections
        that leave the gate out (their verdict would be stale).
    -#}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set verdict = run_query(
        'select invocation_id, violation_count from ' ~ ref('persona_gate_result')
    ) -%}
    {%- set rerun_hint = "Nothing was written: the SQLite database and the Parquet file are as they were. " -%}
    {%- if verdict.rows | length != 1 or verdict.rows[0]['invocation_id'] != invocation_id -%}
        {{ exceptions.raise_compiler_error(
            "Publication refused: the validation gate was not evaluated in this invocation, so "
            ~ "these assignments are not known to pass it. " ~ rerun_hint
            ~ "Run `dbt build` (or include the gate: dbt build --select +export_persona_assignments_parquet)."
        ) }}
    {%- endif -%}
    {%- if verdict.rows[0]['violation_count'] > 0 -%}
        {%- set summary = run_query(
            'select check_name, count(*) as violation_count, min(detail) as example_detail, '
            ~ 'min(user_id) as example_user_id from ' ~ ref('persona_gate_violations')
            ~ ' group by check_name order by check_name'
        ) -%}
        {%- set lines = [] -%}
        {%- for row in summary.rows -%}
            {%- do lines.append(row['check_name'] ~ ': ' ~ row['violation_count']
                ~ ' violation(s), e.g. ' ~ (('user ' ~ row['example_user_id'] ~ ': ')
                    if row['example_user_id'] is not none else '') ~ row['example_detail']) -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error(
            "Publication refused: the validation gate (persona_gate_violations) is not empty.\n  - "
            ~ lines | join('\n  - ') ~ "\n" ~ rerun_hint
            ~ "Run `dbt build` to see every failing check, fix the input or the expectations, and re-run."
        ) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
