{% macro transition_pairs() %}
    {#-
        The (as_of_date, window_days) pairs whose transitions this run
        (re)computes: every pair it evaluates, and the next stored date of
        the same window after each (its "previous date" may have changed).
        Read when persona_transitions compiles, after persona_assignments
        was built in this run.
    -#}
    {%- set evaluated = evaluated_pairs() -%}
    {%- if not execute or not evaluated -%}
        {{ return(evaluated) }}
    {%- endif -%}
    {%- set successors = run_query(
        'with stored as (select distinct as_of_date, window_days from ' ~ ref('persona_assignments')
        ~ '), evaluated as (select as_of_date, window_days from stored where ' ~ pairs_condition(evaluated)
        ~ ') select cast(min(stored.as_of_date) as string), evaluated.window_days from evaluated '
        ~ 'inner join stored on stored.window_days = evaluated.window_days '
        ~ 'and stored.as_of_date > evaluated.as_of_date '
        ~ 'group by evaluated.as_of_date, evaluated.window_days'
    ).rows -%}
    {%- set pairs = evaluated | list -%}
    {%- for row in successors -%}
        {%- set pair = (row[0], row[1] | int) -%}
        {%- if pair not in pairs -%}
            {%- do pairs.append(pair) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(pairs | sort) }}
{% endmacro %}
