{% macro empty_array(element_type) %}
    {#- An empty, typed array literal (e.g. for a STABLE key's ranked ids). -#}
    {{- return(adapter.dispatch('empty_array', 'spendsense_personas')(element_type)) -}}
{% endmacro %}

{% macro default__empty_array(element_type) -%}
    cast(array() as array<{{ element_type }}>)
{%- endmacro %}

{% macro duckdb__empty_array(element_type) -%}
    cast([] as {{ element_type }}[])
{%- endmacro %}
