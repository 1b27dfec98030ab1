{% macro assignment_trace() %}
    {#-
        The JSON audit trace of SPEC section 6 for one assignment row, as
        compact text. The key and the result are serialised here; the five
        evaluations arrive as finished JSON text from the persona models and
        are spliced in without being parsed again (re-parsing, or carrying
        five nested structs through the joins, is what made large traces
        slow). Expects the columns of persona_assignments' `chosen` step: the
        key, missing_signals, persona_<n>_evaluation_json, status,
        ranked_persona_ids and the primary/secondary ids and reasoning.
    -#}
    {%- set key_object = to_json_text(make_struct([
        ('user_id', 'user_id'),
        ('window_days', 'window_days'),
        ('as_of_date', 'cast(as_of_date as string)'),
        ('missing_signals', 'missing_signals'),
    ])) -%}
    {%- set evaluations = [] -%}
    {%- for persona_index in range(1, persona_model_names() | length + 1) -%}
        {%- do evaluations.append(
            ('persona_' ~ persona_index, 'persona_' ~ persona_index ~ '_evaluation_json')) -%}
    {%- endfor -%}
    {%- set result = to_json_text(make_struct([
        ('status', 'status'),
        ('ranked_persona_ids', 'ranked_persona_ids'),
        ('primary_persona_id', 'primary_persona_id'),
        ('primary_reasoning', 'primary_reasoning'),
        ('secondary_persona_id', 'secondary_persona_id'),
        ('secondary_reasoning', 'secondary_reasoning'),
    ])) -%}
    {{ json_object_text([
        ('evaluations', json_object_text(evaluations)),
        ('result', result),
    ], extends=key_object) }}
{%- endmacro %}
