{% macro ordered_string_agg(value, separator, order_by) %}
    {#- Aggregate the text `value` into one string joined by `separator`, in `order_by` order. -#}
    {{- return(adapter.dispatch('ordered_string_agg', 'spendsense_personas')(value, separator, order_by)) -}}
{% endmacro %}

{% macro default__ordered_string_agg(value, separator, order_by) -%}
    listagg({{ value }}, {{ separator }}) within group (order by {{ order_by }})
{%- endmacro %}

{% macro duckdb__ordered_string_agg(value, separator, order_by) -%}
    string_agg({{ value }}, {{ separator }} order by {{ order_by }})
{%- endmacro %}
