{% macro ordered_array_agg(value, order_by) %}
    {#- Aggregate `value` into an array sorted by `order_by` (a single column). -#}
    {{- return(adapter.dispatch('ordered_array_agg', 'spendsense_personas')(value, order_by)) -}}
{% endmacro %}

{% macro default__ordered_array_agg(value, order_by) -%}
    transform(
        array_sort(collect_list(named_struct('sort_key', {{ order_by }}, 'item', {{ value }}))),
        entry -> entry.item
    )
{%- endmacro %}

{% macro duckdb__ordered_array_agg(value, order_by) -%}
    list({{ value }} order by {{ order_by }})
{%- endmacro %}
