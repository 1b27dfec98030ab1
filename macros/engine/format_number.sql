{% macro format_number(expression) %}
    {#-
        Human-readable text for a number in a reasoning sentence: rounded to
        two decimals, with no trailing ".0" on whole numbers (68, 49.99).
    -#}
    case
        when round({{ expression }}, 2) = floor(round({{ expression }}, 2))
            then cast(cast(round({{ expression }}, 2) as bigint) as string)
        else cast(round({{ expression }}, 2) as string)
    end
{%- endmacro %}
