{% macro feature_key_join(left_alias, right_alias) %}
    {#- Join condition on the (user_id, window_days, as_of_date) key. -#}
    {{ left_alias }}.user_id = {{ right_alias }}.user_id
        and {{ left_alias }}.window_days = {{ right_alias }}.window_days
        and {{ left_alias }}.as_of_date = {{ right_alias }}.as_of_date
{%- endmacro %}
