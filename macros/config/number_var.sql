{% macro number_var(name) %}
    {#-
        A numeric var, refused unless it is a real number >= 0 (a divisor such
        as the pay-gap threshold or days_per_month must be > 0). Returns the
        value so models can inline it safely: it can only ever be a number.
    -#}
    {%- set value = var(name) -%}
    {%- if value is sameas true or value is sameas false or value is not number -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ name ~ "' must be a number, got " ~ (value | tojson) ~ ". "
            ~ "Pass it unquoted, e.g. --vars '{" ~ name ~ ": 0.5}'."
        ) }}
    {%- endif -%}
    {%- set must_be_positive = name in ['variable_income_min_pay_gap_days', 'days_per_month'] -%}
    {%- if value < 0 or (must_be_positive and value == 0) -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ name ~ "' must be " ~ ("greater than 0" if must_be_positive else "0 or more")
            ~ ", got " ~ value ~ "."
        ) }}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}
