{% macro persona_criteria_columns(criteria) %}
    {#-
        The columns a persona model's rule reads, from its one list of
        criteria: for each criterion the signal column it names and
        `passes_<name>`, the criterion's outcome. A numeric criterion
        (`operator` and `threshold_var`) passes when `<name> <operator>
        <threshold>` holds; a flag criterion (neither) when the flag is true.
        A NULL value (missing signal, or NaN/inf made NULL in staging) fails.
        `or_flag` (trace key, boolean column) also lets the criterion pass
        when that column is true (persona 4: no credit card).
    -#}
    {%- for criterion in criteria %}
        {{ criterion.name }},
        {%- if criterion.threshold_var is defined %}
        coalesce(
            {{ criterion.name }} {{ criterion.operator }} {{ rule_threshold(criterion.threshold_var) }}, false
        ){% if criterion.or_flag is defined %} or {{ criterion.or_flag[1] }}{% endif %} as passes_{{ criterion.name }}
        {%- else %}
        coalesce({{ criterion.name }}, false) as passes_{{ criterion.name }}
        {%- endif -%}
        {{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
