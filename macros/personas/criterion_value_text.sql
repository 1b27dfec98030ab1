{% macro criterion_value_text(expression, unit) %}
    {#-
        Text for a criterion value or threshold in a reasoning sentence, in
        the unit people read it in: percent (fractions shown as %), dollars,
        days, months, or a plain count.
    -#}
    {%- if unit == 'percent' -%}
        {{ format_number('(' ~ expression ~ ') * 100') }} || '%'
    {%- elif unit == 'dollars' -%}
        '$' || {{ format_number(expression) }}
    {%- elif unit in ['days', 'months'] -%}
        {{ format_number(expression) }} || ' {{ unit }}'
    {%- else -%}
        {{ format_number(expression) }}
    {%- endif -%}
{%- endmacro %}
