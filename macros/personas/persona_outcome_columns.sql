{% macro persona_outcome_columns(criteria) %}
    {#-
        The columns every persona model ends with, from the same list of
        criteria as persona_criteria_columns: `triggered_by` (names of the
        criteria that passed, empty when unmatched), `reasoning` ("Matched on
        <criterion (value vs threshold)>, ... Severity: <n>. Priority:
        <level>.", NULL when unmatched) and `evaluation_json` (the persona's
        entry of the JSON audit trace: name, priority, matched, severity,
        every criterion with value, operator, threshold and passed, and
        triggered_by; serialised once here, so persona_assignments only
        splices the five entries into the trace), and `criteria_outcomes`
        (one struct per criterion: position, name, operator, threshold, value
        and passed, which the report counts). The model must already have
        is_matched, severity, persona_name and priority.
    -#}
    {%- set triggered_by -%}
        {%- for criterion in criteria -%}
        case when is_matched and passes_{{ criterion.name }} then '{{ criterion.name }}' end
        {{- ", " if not loop.last }}
        {%- endfor -%}
    {%- endset -%}
    {%- set criterion_structs = [] -%}
    {%- for criterion in criteria -%}
        {%- if criterion.threshold_var is defined -%}
            {%- do criterion_structs.append((criterion.name, make_struct([
                ('value', criterion.name),
                ('operator', sql_string_literal(criterion.operator)),
                ('threshold', 'cast(' ~ rule_threshold(criterion.threshold_var) ~ ' as double)'),
                ('passed', 'passes_' ~ criterion.name),
            ] + ([criterion.or_flag] if criterion.or_flag is defined else [])))) -%}
        {%- else -%}
            {%- do criterion_structs.append((criterion.name, make_struct([
                ('value', criterion.name),
                ('passed', 'passes_' ~ criterion.name),
            ]))) -%}
        {%- endif -%}
    {%- endfor %}
    {#- One struct per criterion, for the report's per-criterion numbers. -#}
    {%- set criterion_outcomes = [] -%}
    {%- for criterion in criteria -%}
        {%- set is_numeric = criterion.threshold_var is defined -%}
        {%- do criterion_outcomes.append(make_struct([
            ('criterion_position', loop.index ~ ''),
            ('criterion_name', sql_string_literal(criterion.name)),
            ('operator', sql_string_literal(criterion.operator) if is_numeric else 'cast(null as string)'),
            ('threshold', 'cast(' ~ (rule_threshold(criterion.threshold_var) if is_numeric else 'null') ~ ' as double)'),
            ('criterion_value', 'cast(' ~ (criterion.name if is_numeric else 'null') ~ ' as double)'),
            ('passed', 'passes_' ~ criterion.name),
        ])) -%}
    {%- endfor %}
        {{ array_without_nulls(triggered_by) }} as triggered_by,
        case
            when is_matched then 'Matched on ' || concat_ws(
                ', '
                {%- for criterion in criteria %},
                case when passes_{{ criterion.name }} then '{{ criterion.name }}'
                    {%- if criterion.threshold_var is defined %}
                    {%- set unit = persona_thresholds()[criterion.threshold_var].unit %}
                    || ' (' || coalesce(
                        {{ criterion_value_text(criterion.name, unit) }}
                        || ' vs ' || {{ criterion_value_text(rule_threshold(criterion.threshold_var), unit) }}
                        || ' threshold',
                        '{{ criterion.or_flag[0] | replace("_", " ") if criterion.or_flag is defined else "no value" }}'
                    ) || ')'
                    {%- endif %}
                end
                {%- endfor %}
            ) || '. Severity: ' || {{ format_number('severity') }} || '. Priority: ' || priority || '.'
        end as reasoning,
        {{ dbt.array_construct(criterion_outcomes, 'struct') }} as criteria_outcomes,
        {{ to_json_text(make_struct([
            ('persona_name', 'persona_name'),
            ('priority', 'priority'),
            ('matched', 'is_matched'),
            ('severity', 'severity'),
            ('criteria', make_struct(criterion_structs)),
            ('triggered_by', array_without_nulls(triggered_by)),
        ])) }} as evaluation_json
{%- endmacro %}
