{% macro allowed_incomplete_feature_files() %}
    {#-
        Var allow_incomplete_feature_files: the feature files (by name, e.g.
        credit) that may lack whole (as_of_date, window_days) pairs the other
        files hold, e.g. a signal Epic 2 has retired. Their keys are then
        assigned with that signal missing. Refused unless a list of the five
        file names.
    -#}
    {%- set value = var('allow_incomplete_feature_files') -%}
    {%- set names = feature_file_names() -%}
    {%- if value is string or value is not iterable or value is mapping
        or (value | reject('in', names) | list) -%}
        {{ exceptions.raise_compiler_error(
            "var 'allow_incomplete_feature_files' must be a list of feature file names ("
            ~ names | join(', ') ~ "), got " ~ (value | tojson) ~ ". Example: --vars "
            ~ "'{allow_incomplete_feature_files: [credit]}'."
        ) }}
    {%- endif -%}
    {{ return(value | list) }}
{% endmacro %}
