{% macro row_hash_sum(relation_alias) %}
    {#-
        An aggregate: the sum of a hash of every row of `relation_alias` (all
        its columns). Order-independent, so two sets of rows with the same
        sum are, with overwhelming probability, the same rows.
    -#}
    {{- return(adapter.dispatch('row_hash_sum', 'spendsense_personas')(relation_alias)) -}}
{% endmacro %}

{% macro default__row_hash_sum(relation_alias) -%}
    sum(cast(xxhash64({{ relation_alias }}.*) as decimal(38, 0)))
{%- endmacro %}

{% macro duckdb__row_hash_sum(relation_alias) -%}
    sum(hash({{ relation_alias }}))
{%- endmacro %}
