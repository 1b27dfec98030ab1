{% macro pairs_condition(pairs, alias=none) %}
    {#-
        SQL that holds for rows whose (as_of_date, window_days) is one of
        `pairs` (literal dates, so the engine can skip the rest of the
        files); `false` for no pairs.
    -#}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {%- if not pairs -%}
        {{ return('false') }}
    {%- endif -%}
    {%- set by_date = {} -%}
    {%- for as_of_date, window_days in pairs -%}
        {%- do by_date.setdefault(as_of_date, []).append(window_days | string) -%}
    {%- endfor -%}
    {%- set parts = [] -%}
    {%- for as_of_date, windows in by_date.items() -%}
        {%- do parts.append(
            '(' ~ prefix ~ 'as_of_date = cast(' ~ sql_string_literal(as_of_date) ~ ' as date) and '
            ~ prefix ~ 'window_days in (' ~ windows | join(', ') ~ '))'
        ) -%}
    {%- endfor -%}
    {{ return('(' ~ parts | join(' or ') ~ ')') }}
{% endmacro %}
