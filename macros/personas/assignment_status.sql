{% macro assignment_status(primary_persona_id) %}
    {#- A key's status from its primary persona: ASSIGNED when one matched, else STABLE. -#}
    case when {{ primary_persona_id }} is null then 'STABLE' else 'ASSIGNED' end
{%- endmacro %}
