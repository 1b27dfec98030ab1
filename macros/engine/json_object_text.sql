{% macro json_object_text(members, extends=none) %}
    {#-
        Compact JSON object text spliced together from finished JSON
        fragments: `members` is a list of (key, expression giving JSON text)
        pairs, in output order. With `extends` (an expression giving a
        non-empty JSON object's text), the members are appended to that
        object. Pure text splicing: no fragment is parsed again, which keeps
        a large trace cheap to build. A NULL fragment becomes JSON null, so
        the result is always valid JSON. Keys are written as given: plain
        identifiers only.
    -#}
    concat(
        {%- if extends is not none %}
        substr({{ extends }}, 1, length({{ extends }}) - 1), ',',
        {%- else %}
        '{',
        {%- endif %}
        {%- for key, fragment in members %}
        '{{ "," if not loop.first }}"{{ key }}":', coalesce({{ fragment }}, 'null'),
        {%- endfor %}
        '}'
    )
{%- endmacro %}
