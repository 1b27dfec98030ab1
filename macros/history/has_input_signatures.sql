{% macro has_input_signatures(relation) %}
    {#- Whether the stored int_input_fingerprints has its input_signature column. -#}
    {{- return('input_signature' in adapter.get_columns_in_relation(relation) | map(attribute='name') | list) -}}
{% endmacro %}
