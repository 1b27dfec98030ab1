{% macro json_extract_texts(json_column, paths) %}
    {#-
        An array with the text at each JSONPath of `paths`, read from
        `json_column` in one call (one parse per row instead of one per path);
        NULL instead of an error when the text is not valid JSON.
    -#}
    {{- return(adapter.dispatch('json_extract_texts', 'spendsense_personas')(json_column, paths)) -}}
{% endmacro %}

{% macro default__json_extract_texts(json_column, paths) -%}
    array(
        {%- for path in paths %}
        get_json_object({{ json_column }}, '{{ path }}'){{ "," if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{% macro duckdb__json_extract_texts(json_column, paths) -%}
    try(json_extract_string({{ json_column }}, [
        {%- for path in paths -%}
        '{{ path }}'{{ ", " if not loop.last }}
        {%- endfor -%}
    ]))
{%- endmacro %}
