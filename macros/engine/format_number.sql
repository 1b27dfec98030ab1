{% macro format_number(expression) %}
    {#-
        Human-readable text for a number in a reasoning sentence: rounded to
        two decimals, without trailing zeros (68, 49.99, 0.5). Magnitudes of
        1e15 and more, where two decimals mean nothing, are written in
        scientific notation (1.000e+17), so every finite double gives text
        (no integer cast that could overflow). NULL stays NULL. printf and
        regexp_replace read the same on DuckDB and Spark, given a double.
        Rounded as a decimal, not a double: a value such as 350.165, which
        is 350.16499999999996 as a double, rounds half up to 350.17 on both
        engines (their double round() differ on such values). Below 1e9 (every
        value a rule reads, in practice) the decimal fits in 64 bits, which
        DuckDB rounds about 20 times faster than a 128-bit decimal; the value
        and the text are the same either way.
    -#}
    case
        when {{ expression }} is null then null
        when abs({{ expression }}) >= 1e15 then printf('%.3e', cast({{ expression }} as double))
        when abs({{ expression }}) >= 1e9 then {{ two_decimals_text(expression, 38) }}
        else {{ two_decimals_text(expression, 18) }}
    end
{%- endmacro %}
