{% macro array_without_nulls(items) %}
    {#-
        An array of `items` (SQL expressions, comma-separated) with the NULL
        ones left out, e.g. the names of the criteria that passed.
    -#}
    {{- return(adapter.dispatch('array_without_nulls', 'spendsense_personas')(items)) -}}
{% endmacro %}

{% macro default__array_without_nulls(items) -%}
    array_compact(array({{ items }}))
{%- endmacro %}

{% macro duckdb__array_without_nulls(items) -%}
    list_filter([{{ items }}], lambda item: item is not null)
{%- endmacro %}
