{% macro dates_condition(dates, column) %}
    {#-
        SQL that holds for rows whose date `column` is one of `dates` (ISO
        dates, as literals so the engine can skip the rest of the files);
        `false` for none. For tables without window_days (the archetype
        labels, the input fingerprints' dates).
    -#}
    {%- if not dates -%}
        {{ return('false') }}
    {%- endif -%}
    {%- set literals = [] -%}
    {%- for as_of_date in dates | unique | sort -%}
        {%- do literals.append('cast(' ~ sql_string_literal(as_of_date) ~ ' as date)') -%}
    {%- endfor -%}
    {{ return(column ~ ' in (' ~ literals | join(', ') ~ ')') }}
{% endmacro %}
