{% macro assignment_trace() %}
    {#-
        The JSON audit trace of SPEC section 6 for one assignment row, as
        compact text. Built as one struct and serialised once: nesting JSON
        functions would re-parse every inner fragment. Expects the columns of
        persona_assignments' `assembled` step: the key, missing_signals, the
        five persona_<n>_evaluation structs, status, ranked_persona_ids and
        the primary/secondary ids and reasoning.
    -#}
    {{ to_json_text(make_struct([
        ('user_id', 'user_id'),
        ('window_days', 'window_days'),
        ('as_of_date', 'cast(as_of_date as string)'),
        ('missing_signals', 'missing_signals'),
        ('evaluations', make_struct([
            ('persona_1', 'persona_1_evaluation'),
            ('persona_2', 'persona_2_evaluation'),
            ('persona_3', 'persona_3_evaluation'),
            ('persona_4', 'persona_4_evaluation'),
            ('persona_5', 'persona_5_evaluation'),
        ])),
        ('result', make_struct([
            ('status', 'status'),
            ('ranked_persona_ids', 'ranked_persona_ids'),
            ('primary_persona_id', 'primary_persona_id'),
            ('primary_reasoning', 'primary_reasoning'),
            ('secondary_persona_id', 'secondary_persona_id'),
            ('secondary_reasoning', 'secondary_reasoning'),
        ])),
    ])) }}
{%- endmacro %}
