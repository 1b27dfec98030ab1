{% macro criterion_passes(column_name, operator, threshold) %}
    {#-
        Whether `column_name <operator> threshold` holds. A NULL value (a
        missing signal, or NaN/inf normalised to NULL in staging) fails the
        criterion instead of leaving it unknown.
    -#}
    coalesce({{ column_name }} {{ operator }} {{ threshold }}, false)
{%- endmacro %}
