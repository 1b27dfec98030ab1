{% macro assert_what_if_runnable() %}
    {#-
        Called from validate_project_vars, before any SQL: in a what-if run,
        checks the candidates (what_if_scenarios), that the run selects only
        what-if models (a production model built with candidate thresholds
        would publish them) and that the warehouse holds assignments to
        compare with. Each refusal says what to run instead.
    -#}
    {%- if not what_if_mode() -%}
        {{ return('') }}
    {%- endif -%}
    {%- do what_if_scenarios() -%}
    {%- set production = [] -%}
    {#- Only a command that builds can replace a production model (not compile or docs). -#}
    {%- for unique_id in selected_resources if flags.WHICH in ('build', 'run', 'seed', 'snapshot') -%}
        {%- set node = graph.nodes.get(unique_id) -%}
        {%- if node is not none and node.resource_type in ('model', 'seed', 'snapshot')
            and 'what_if' not in node.tags -%}
            {%- do production.append(node.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if production -%}
        {{ exceptions.raise_compiler_error(
            "var what_if is set, and this run also selects " ~ production | length ~ " production model(s) ("
            ~ (production[:3] | join(', ')) ~ (", ..." if production | length > 3 else "")
            ~ "), which would be built with the candidate thresholds. Run a what-if with "
            ~ "dbt build --selector what_if --vars '{what_if: {...}}' (nothing is published), "
            ~ "or drop var what_if to build the production models."
        ) }}
    {%- endif -%}
    {%- set stored = stored_assignments() -%}
    {%- set stored_keys = run_query('select count(*) from ' ~ stored).rows[0][0] if stored is not none else 0 -%}
    {%- if stored_keys == 0 -%}
        {{ exceptions.raise_compiler_error(
            "A what-if evaluates the dates of the stored assignments, and the warehouse "
            ~ target.schema ~ ".persona_assignments " ~ ("is empty" if stored is not none else "does not exist")
            ~ ": run dbt build (or make run) first, then the what-if."
        ) }}
    {%- endif -%}
{% endmacro %}
