{% macro transition_output_columns() %}
    {#-
        The columns of the transitions Parquet file, in order: every column
        of persona_transitions (SPEC section 8). Both engines' exports select
        exactly these.
    -#}
    {{ return([
        'user_id',
        'window_days',
        'as_of_date',
        'previous_as_of_date',
        'previous_status',
        'previous_primary_persona_id',
        'status',
        'primary_persona_id',
        'change_type',
    ]) }}
{% endmacro %}
