{% macro two_decimals_text(expression, precision) %}
    {#- format_number's text for a value that fits decimal(precision, 9). -#}
    regexp_replace(printf('%.2f', cast(round(cast({{ expression }} as decimal({{ precision }}, 9)), 2) as double) + 0.0), '[.]?0+$', '')
{%- endmacro %}
