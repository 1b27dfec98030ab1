{% macro criterion_value_text(expression, unit) %}
    {#-
        Text for a criterion's value or threshold in a reasoning sentence, in
        the unit people read it in (the threshold var's unit in
        persona_thresholds): fractions and utilizations as percent, dollars,
        days, months, or a plain number for counts and ratios.
    -#}
    {%- if unit in ['fraction', 'utilization'] -%}
        {{ format_number('(' ~ expression ~ ') * 100') }} || '%'
    {%- elif unit == 'dollars' -%}
        '$' || {{ format_number(expression) }}
    {%- elif unit in ['days', 'months'] -%}
        {{ format_number(expression) }} || ' {{ unit }}'
    {%- else -%}
        {{ format_number(expression) }}
    {%- endif -%}
{%- endmacro %}
