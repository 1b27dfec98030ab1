{% macro assert_publication_gate_passed() %}
    {#-
        Pre-hook of the export models. Reads persona_gate_violations (a view,
        so it reflects persona_assignments as it is now) and refuses to
        publish unless it is empty. This keeps the gate under every command:
        `dbt build` already skips the exports when a gate test fails, but
        `dbt run` or `dbt build --select export_*` run no tests.
    -#}
    {%- if execute -%}
        {%- set summary = run_query(
            'select check_name, count(*) as violation_count, min(detail) as example_detail, '
            ~ 'min(user_id) as example_user_id from ' ~ ref('persona_gate_violations')
            ~ ' group by check_name order by check_name'
        ) -%}
        {%- if summary.rows | length > 0 -%}
            {%- set lines = [] -%}
            {%- for row in summary.rows -%}
                {%- do lines.append(row['check_name'] ~ ': ' ~ row['violation_count']
                    ~ ' violation(s), e.g. ' ~ (('user ' ~ row['example_user_id'] ~ ': ')
                        if row['example_user_id'] is not none else '') ~ row['example_detail']) -%}
            {%- endfor -%}
            {{ exceptions.raise_compiler_error(
                "Publication refused: the validation gate (persona_gate_violations) is not empty.\n  - "
                ~ lines | join('\n  - ')
                ~ "\nNothing was written: the SQLite database and the Parquet file are as they were. "
                ~ "Run `dbt build` to see every failing check, fix the input or the expectations, and re-run."
            ) }}
        {%- endif -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
