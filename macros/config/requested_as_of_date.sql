{% macro requested_as_of_date() %}
    {#-
        The `as_of_date` var as an ISO 'YYYY-MM-DD' string, or none when every
        date present in the feature files is evaluated. A YAML date
        (--vars '{as_of_date: 2025-11-04}') and a quoted string both work.
    -#}
    {%- set value = var('as_of_date') -%}
    {%- if value is none or value == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = value.isoformat() if value.isoformat is defined else value | string -%}
    {%- set match = modules.re.fullmatch('(\\d{4})-(\\d{2})-(\\d{2})', text) -%}
    {%- set valid = false -%}
    {%- if match -%}
        {%- set year, month, day = match.group(1) | int, match.group(2) | int, match.group(3) | int -%}
        {%- set leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 -%}
        {%- set month_days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
        {%- set valid = 1 <= month <= 12 and 1 <= day <= month_days[month - 1] -%}
    {%- endif -%}
    {%- if not valid -%}
        {{ exceptions.raise_compiler_error(
            "var 'as_of_date' must be a real date written YYYY-MM-DD (or null for every date), got "
            ~ (text | tojson) ~ ". Example: --vars '{as_of_date: 2025-11-04}'."
        ) }}
    {%- endif -%}
    {{ return(text) }}
{% endmacro %}
