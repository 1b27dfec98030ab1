{% macro requested_as_of_date() %}
    {#-
        The `as_of_date` var as an ISO 'YYYY-MM-DD' string, or none when every
        date present in the feature files is evaluated. A YAML date
        (--vars '{as_of_date: 2025-11-04}') and a quoted string both work;
        anything that is not a real calendar date stops the run.
    -#}
    {%- set value = var('as_of_date') -%}
    {%- if value is none or value == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = value.isoformat() if value.isoformat is defined else value | string -%}
    {%- set match = modules.re.fullmatch('(\\d{4})-(\\d{2})-(\\d{2})', text) -%}
    {%- set valid = false -%}
    {%- if match and 1 <= match.group(2) | int <= 12 -%}
        {%- set year, month = match.group(1) | int, match.group(2) | int -%}
        {#- The month's last day, from the standard library's calendar. -#}
        {%- set last_day = (
            modules.datetime.date(year + month // 12, month % 12 + 1, 1) - modules.datetime.timedelta(days=1)
        ).day -%}
        {%- set valid = year >= 1 and 1 <= match.group(3) | int <= last_day -%}
    {%- endif -%}
    {%- if not valid -%}
        {{ exceptions.raise_compiler_error(
            "var 'as_of_date' must be a real date written YYYY-MM-DD (or null for every date), got "
            ~ (text | tojson) ~ ". Example: --vars '{as_of_date: 2025-11-04}'."
        ) }}
    {%- endif -%}
    {{ return(text) }}
{% endmacro %}
