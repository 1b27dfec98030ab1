{% macro array_without_nulls(expressions) %}
    {#-
        An array of the given SQL expressions with the NULL ones left out,
        e.g. the names of the criteria that passed.
    -#}
    {{- return(adapter.dispatch('array_without_nulls', 'spendsense_personas')(expressions)) -}}
{% endmacro %}

{% macro default__array_without_nulls(expressions) -%}
    array_compact(array({{ expressions | join(', ') }}))
{%- endmacro %}

{% macro duckdb__array_without_nulls(expressions) -%}
    list_filter([{{ expressions | join(', ') }}], lambda item: item is not null)
{%- endmacro %}
