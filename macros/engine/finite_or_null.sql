{% macro finite_or_null(column_name) %}
    {#-
        The column as a double, with NaN, +inf and -inf turned into NULL
        (SPEC section 4: NaN must never compare as "large").
    -#}
    {{- return(adapter.dispatch('finite_or_null', 'spendsense_personas')(column_name)) -}}
{% endmacro %}

{% macro default__finite_or_null(column_name) -%}
    case
        when isnan(cast({{ column_name }} as double)) then null
        when abs(cast({{ column_name }} as double)) = double('infinity') then null
        else cast({{ column_name }} as double)
    end
{%- endmacro %}

{% macro duckdb__finite_or_null(column_name) -%}
    case when isfinite(cast({{ column_name }} as double)) then cast({{ column_name }} as double) end
{%- endmacro %}
