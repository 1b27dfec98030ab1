{% macro format_number(expression) %}
    {#-
        Human-readable text for a number in a reasoning sentence: rounded to
        two decimals, without trailing zeros (68, 49.99, 0.5). Magnitudes of
        1e15 and more, where two decimals mean nothing, are written in
        scientific notation (1.000e+17), so every finite double gives text
        (no integer cast that could overflow). NULL stays NULL. printf and
        regexp_replace read the same on DuckDB and Spark, given a double.
    -#}
    case
        when {{ expression }} is null then null
        when abs({{ expression }}) >= 1e15 then printf('%.3e', cast({{ expression }} as double))
        else regexp_replace(printf('%.2f', cast(round({{ expression }}, 2) as double) + 0.0), '[.]?0+$', '')
    end
{%- endmacro %}
