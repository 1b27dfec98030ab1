{% macro raise_feature_file_problems(problems) %}
    {#- Stop the run listing every feature-file problem found, if any. -#}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "The feature files cannot be read as the contract requires:\n  - "
            ~ (problems | join('\n  - '))
        ) }}
    {%- endif -%}
{% endmacro %}
