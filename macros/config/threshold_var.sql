{% macro threshold_var(name, unit=none, divisor=false, candidate=none) %}
    {#-
        The value of a numeric var, refused (naming the var, the value and
        the likely fix) unless it is a number that makes sense for its unit:
        a fraction or share within 0-1, a utilization within 0-3 (a card can
        be over its limit, but not three times over), days, months, dollars
        and ratios at least 0, a count a whole number. A divisor must be
        above 0. The unit and divisor come from persona_thresholds() for a
        persona threshold, or are given (days_per_month). Returns the value,
        so models can inline it safely: it can only ever be a number.
        `candidate`: check this value instead of the var's, a what-if's
        (var what_if), and say so in the message.
    -#}
    {%- set spec = persona_thresholds().get(name, {}) -%}
    {%- set unit = unit or spec.get('unit') -%}
    {%- set divisor = divisor or spec.get('divisor', false) -%}
    {%- set ranges = {
        'fraction': (1, 'a fraction between 0 and 1 (0.1 = 10 %)'),
        'utilization': (3, 'a utilization, a fraction of the credit limit (0.5 = 50 %; at most 3, a card 3x over its limit)'),
        'days': (none, 'a number of days'),
        'months': (none, 'a number of months'),
        'dollars': (none, 'an amount in dollars'),
        'ratio': (none, 'a ratio'),
        'count': (none, 'a count'),
    } -%}
    {%- if unit not in ranges -%}
        {{ exceptions.raise_compiler_error("threshold_var: unknown unit " ~ unit ~ " for var '" ~ name ~ "'.") }}
    {%- endif -%}
    {%- set maximum, meaning = ranges[unit] -%}
    {%- set value = var(name) if candidate is none else candidate -%}
    {%- set subject = ("var '" ~ name ~ "'") if candidate is none else ("what_if value of '" ~ name ~ "'") -%}
    {%- if value is sameas true or value is sameas false or value is not number -%}
        {{ exceptions.raise_compiler_error(
            subject ~ " must be a number, got " ~ (value | tojson) ~ ". "
            ~ ("Pass it unquoted, e.g. --vars '{" ~ name ~ ": 0.5}'." if candidate is none
               else "Write it unquoted, e.g. {" ~ name ~ ": 0.5}.")
        ) }}
    {%- endif -%}
    {%- set problem = none -%}
    {%- if value < 0 or (divisor and value == 0) -%}
        {%- set problem = "must be " ~ ("greater than 0" if divisor else "0 or more") ~ " (it is " ~ meaning ~ ")" -%}
    {%- elif unit == 'count' and value != value | int -%}
        {%- set problem = "must be a whole number (it is " ~ meaning ~ ")" -%}
    {%- elif maximum is not none and value > maximum -%}
        {%- set hint = (" " ~ value ~ " looks like a percent; write " ~ (value / 100) ~ ".")
            if value / 100 <= maximum else " Check the value." -%}
        {%- set problem = "is above " ~ maximum ~ ", the largest plausible value: it is " ~ meaning ~ "." ~ hint -%}
    {%- endif -%}
    {%- if problem is not none -%}
        {{ exceptions.raise_compiler_error(
            subject ~ " = " ~ value ~ " " ~ problem ~ ("" if problem.endswith('.') else ".") ~ (
                " Change it with --vars '{" ~ name ~ ": ...}' or in dbt_project.yml." if candidate is none
                else " Change it in the what-if (--what-if, --sweep or var what_if)."
            )
        ) }}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}
