{% macro delete_pairs(pairs) %}
    {#-
        Pre-hook of the incremental models keyed by (as_of_date, window_days)
        (persona_assignments: the pairs this run evaluates; persona_transitions:
        the pairs whose transitions it recomputes): before this run's rows
        are appended, the rows of `pairs` are deleted, and every other
        pair's rows stay as they are. Inside the model's transaction, so a
        failed build deletes nothing. Nothing on the first build or a full
        refresh (the table is created from scratch).
    -#}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ pairs_condition(pairs) }}
    {%- endif -%}
{% endmacro %}
