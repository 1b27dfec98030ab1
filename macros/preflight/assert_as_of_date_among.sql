{% macro assert_as_of_date_among(present_dates) %}
    {#-
        When var as_of_date is set, it must be one of `present_dates` (ISO
        strings read from the feature files); otherwise the run stops and
        lists the dates that are present.
    -#}
    {%- set requested = requested_as_of_date() -%}
    {%- if requested is not none and requested not in present_dates -%}
        {{ exceptions.raise_compiler_error(
            "var as_of_date = " ~ requested ~ " matches no row in the feature files under "
            ~ var('features_dir') ~ ". Dates present: "
            ~ (present_dates | join(', ') if present_dates else 'none') ~ ". "
            ~ "Pass one of them, or leave as_of_date unset to evaluate every date."
        ) }}
    {%- endif -%}
{% endmacro %}
