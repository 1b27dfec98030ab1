{% macro make_struct(fields) %}
    {#-
        A struct (record) expression from an ordered list of (name, sql
        expression) pairs. Field order is kept, so the JSON trace built from
        it has a stable key order.
    -#}
    {{- return(adapter.dispatch('make_struct', 'spendsense_personas')(fields)) -}}
{% endmacro %}

{% macro default__make_struct(fields) -%}
    named_struct(
        {%- for name, expression in fields %}
        '{{ name }}', {{ expression }}{{ "," if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{% macro duckdb__make_struct(fields) -%}
    struct_pack(
        {%- for name, expression in fields %}
        "{{ name }}" := {{ expression }}{{ "," if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
