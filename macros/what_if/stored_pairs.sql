{% macro stored_pairs() %}
    {#-
        The (as_of_date, window_days) pairs of the stored assignments
        (stored_assignments), as a list of (ISO date, window): what a what-if
        run evaluates. Empty when the warehouse has none.
    -#}
    {%- set stored = stored_assignments() -%}
    {%- if stored is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set pairs = [] -%}
    {%- for row in run_query(
        'select distinct cast(as_of_date as string), window_days from ' ~ stored ~ ' order by 1, 2'
    ).rows -%}
        {%- do pairs.append((row[0], row[1] | int)) -%}
    {%- endfor -%}
    {{ return(pairs) }}
{% endmacro %}
