{% macro persona_outcome_columns(criteria) %}
    {#-
        The columns every persona model ends with, built from its list of
        criteria. Each criterion is a dict: `name` (also the signal column it
        reads), and for a numeric rule `operator`, `threshold` and `unit`;
        `extra_fields` adds (name, expression) pairs to its trace entry and
        `null_value_label` says why a criterion passed on a NULL value. The
        model must already have `is_matched`, `severity`, `persona_name`,
        `priority` and one boolean `passes_<name>` column per criterion.

        - triggered_by: names of the criteria that passed (empty when unmatched)
        - reasoning: "Matched on ... Severity: ... Priority: ..." (NULL when unmatched)
        - evaluation_json: the persona's entry of the JSON audit trace, as
          compact JSON text. Serialised here, once per persona model (the
          five models build in parallel), so the trace only has to splice
          five finished fragments together.
    -#}
    {%- set triggered_names = [] -%}
    {%- set descriptions = [] -%}
    {%- set criterion_structs = [] -%}
    {%- for criterion in criteria -%}
        {%- set passes = 'passes_' ~ criterion.name -%}
        {%- do triggered_names.append(
            "case when is_matched and " ~ passes ~ " then '" ~ criterion.name ~ "' end") -%}
        {%- if criterion.operator is defined -%}
            {%- set threshold = 'cast(' ~ criterion.threshold ~ ' as double)' -%}
            {%- do descriptions.append(
                "case when " ~ passes ~ " then '" ~ criterion.name ~ " (' || coalesce("
                ~ criterion_value_text(criterion.name, criterion.unit) ~ " || ' vs ' || "
                ~ criterion_value_text(threshold, criterion.unit) ~ " || ' threshold', "
                ~ sql_string_literal(criterion.get('null_value_label', 'no value')) ~ ") || ')' end") -%}
            {%- set fields = [
                ('value', criterion.name),
                ('operator', sql_string_literal(criterion.operator)),
                ('threshold', threshold),
                ('passed', passes),
            ] -%}
        {%- else -%}
            {%- do descriptions.append(
                "case when " ~ passes ~ " then '" ~ criterion.name ~ "' end") -%}
            {%- set fields = [('value', criterion.name), ('passed', passes)] -%}
        {%- endif -%}
        {%- do criterion_structs.append(
            (criterion.name, make_struct(fields + criterion.get('extra_fields', [])))) -%}
    {%- endfor -%}
    {%- set triggered_by = array_without_nulls(triggered_names) -%}

    {{ triggered_by }} as triggered_by,
        case
            when is_matched
                then 'Matched on ' || concat_ws(', ', {{ descriptions | join(', ') }})
                || '. Severity: ' || {{ format_number('severity') }}
                || '. Priority: ' || priority || '.'
        end as reasoning,
        {{ to_json_text(make_struct([
            ('persona_name', 'persona_name'),
            ('priority', 'priority'),
            ('matched', 'is_matched'),
            ('severity', 'severity'),
            ('criteria', make_struct(criterion_structs)),
            ('triggered_by', triggered_by),
        ])) }} as evaluation_json
{%- endmacro %}
