{#-
    Spark (dbt-spark) implementations of the project's engine macros where
    the default__ (ANSI / Spark-flavoured) one does not fit.
-#}

{% macro spark__to_json_text(struct_expression) -%}
    {#- Spark's to_json drops NULL fields by default; the trace keeps them ("severity": null). -#}
    to_json({{ struct_expression }}, map('ignoreNullFields', 'false'))
{%- endmacro %}


{% macro spark__persist_constraints(relation, model) %}
    {#-
        Overrides dbt-spark's: it runs `alter table ... set not null` unless
        file_format is set to something other than delta, and Spark's default
        table format (Parquet) rejects that. Constraints are only persisted
        for Delta tables; elsewhere the contract's column names and types are
        still enforced, and the not_null data tests check the values.
    -#}
    {%- set contract_config = config.get('contract') -%}
    {%- if contract_config.enforced and config.get('file_format') == 'delta' -%}
        {%- do alter_table_add_constraints(relation, model.constraints) -%}
        {%- do alter_column_set_constraints(relation, model.columns) -%}
    {%- endif -%}
{% endmacro %}


{% macro spark__safe_cast(field, type) %}
    {#-
        Overrides dbt-spark's, for unit-test fixtures: the project's unit
        tests write array and struct values in DuckDB's literal notation,
        "['growth_rate']", "[]", "{'value': 0.03, 'passed': true}". Spark has
        no such literals, so a bracketed value cast to an array or struct type
        is rewritten to array(...) / named_struct('value', 0.03, ...).
        Everything else is cast exactly as dbt-spark does.
    -#}
    {%- set lowered = type.lower() -%}
    {%- set is_complex = lowered.startswith('struct') or lowered.startswith('array') or lowered.startswith('map') -%}
    {%- set field_clean = field.strip('"').strip("'") if (is_complex and field is string) else field -%}
    {%- if (lowered.startswith('array') or lowered.startswith('struct')) and field_clean is string
        and field_clean[:1] in ['[', '{'] -%}
        {%- set literal = field_clean | replace("\\'", "'") -%}
        {#- DuckDB also reads bare words in a list as text: [growth_rate] -> ['growth_rate']. -#}
        {%- set literal = modules.re.sub(
            "([\\[,]\\s*)(?!(?:true|false|null)\\b)([A-Za-z_]\\w*)(\\s*)(?=[,\\]])", "\\1'\\2'\\3",
            literal, flags=modules.re.IGNORECASE) -%}
        {%- set literal = modules.re.sub("'(\\w+)'\\s*:", "'\\1',", literal) -%}
        {%- set field_clean = literal | replace('{', 'named_struct(') | replace('}', ')')
            | replace('[', 'array(') | replace(']', ')') -%}
    {%- endif -%}
    cast({{ field_clean }} as {{ type }})
{% endmacro %}


{% macro spark_type_name(type) %}
    {#-
        A column type as Spark spells it. The project's YAML declares types
        the way DuckDB names them (varchar in contracts); Spark needs a
        length for varchar, and its unbounded text type is string.
    -#}
    {%- set lowered = type | trim | lower -%}
    {%- if lowered in ['varchar', 'text', 'bpchar'] -%}
        {{ return('string') }}
    {%- endif -%}
    {{ return(type) }}
{% endmacro %}


{% macro spark__cast(field, type) %}
    {#-
        dbt's cross-database cast. dbt builds the contract check of
        persona_assignments from it (cast(null as <data_type>) for each
        declared column), so the DuckDB type names of the contract work on
        Spark too.
    -#}
    cast({{ field }} as {{ spark_type_name(type) }})
{%- endmacro %}
