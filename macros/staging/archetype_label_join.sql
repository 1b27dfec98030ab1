{% macro archetype_label_join(assignments_alias, labels_alias) %}
    {#-
        Join condition of an assignment to its archetype label: the same
        user, and the label's date when it has one (a label without a date
        holds for every date).
    -#}
    {{ assignments_alias }}.user_id = {{ labels_alias }}.user_id
        and ({{ labels_alias }}.as_of_date is null or {{ labels_alias }}.as_of_date = {{ assignments_alias }}.as_of_date)
{%- endmacro %}
