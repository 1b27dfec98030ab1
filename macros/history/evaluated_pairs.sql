{% macro evaluated_pairs(plan=none) %}
    {#-
        The (as_of_date, window_days) pairs this run evaluates, as
        int_evaluation_plan decided them: read when a model compiles, after
        the plan was built in the same run. A list of (ISO date, window).
        At parse time, and when only compiling before the plan was ever
        built, an empty list. `plan`: the plan's relation, for a caller
        that cannot ref() it (a data test); by default ref('int_evaluation_plan').
        In a what-if run, every stored pair (stored_pairs): a what-if
        evaluates the dates of the published assignments.
    -#}
    {%- if what_if_mode() -%}
        {{ return(stored_pairs() if execute else []) }}
    {%- endif -%}
    {%- if plan is none and execute -%}
        {%- set plan = built_relation(ref('int_evaluation_plan')) -%}
    {%- endif -%}
    {%- if plan is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set rows = run_query(
        'select cast(as_of_date as string), window_days from ' ~ plan
        ~ ' where is_evaluated order by 1, 2'
    ).rows -%}
    {%- set pairs = [] -%}
    {%- for row in rows -%}
        {%- do pairs.append((row[0], row[1] | int)) -%}
    {%- endfor -%}
    {{ return(pairs) }}
{% endmacro %}
