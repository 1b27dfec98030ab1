{% macro persona_column_for(persona_id_column, column_name, persona_count=5) %}
    {#-
        The value of `persona_<n>_<column_name>` for the persona whose id is in
        `persona_id_column` (NULL when that id is NULL), e.g. the severity of
        the primary persona out of the five persona models' columns.
    -#}
    case {{ persona_id_column }}
        {%- for persona_index in range(1, persona_count + 1) %}
        when {{ persona_index }} then persona_{{ persona_index }}_{{ column_name }}
        {%- endfor %}
    end
{%- endmacro %}
