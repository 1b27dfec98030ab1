{% macro parquet_output_columns() %}
    {#-
        The columns of the Parquet output, in order: every column of
        persona_assignments but the trace (SPEC section 6). Both engines'
        Parquet exports select exactly these.
    -#}
    {{ return([
        'assignment_id',
        'user_id',
        'window_days',
        'as_of_date',
        'primary_persona_id',
        'primary_persona_name',
        'primary_priority',
        'primary_severity',
        'secondary_persona_id',
        'secondary_persona_name',
        'secondary_priority',
        'secondary_severity',
        'status',
        'computed_at',
        'ruleset_version',
    ]) }}
{% endmacro %}
