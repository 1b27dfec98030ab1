{% macro prepare_feature_sources() %}
    {#-
        Run from on-run-start, before any model, on every engine. For each
        Epic 2 feature file declared in source epic2_features:
        1. read its facts (exists, Parquet, columns and types, rows: the
           engine's parquet_facts); a file may also be a folder of
           Parquet parts, as Spark writes them;
        2. judge them (feature_file_problems) and stop, naming the file and
           the column and saying what to do, if anything is wrong;
        3. register it as the relation dbt's source() names: a view with the
           source's declared columns over the file(s);
        and then check the keys across the files (assert_feature_keys_usable):
        whole-number windows, the same (as_of_date, window_days) pairs in
        every file, and a requested as_of_date that is present.
        The optional archetype file is registered the same way when it exists.
    -#}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set problems = [] -%}
    {%- set readable = [] -%}
    {%- for source_node in graph.sources.values() | selectattr('source_name', 'equalto', 'epic2_features') -%}
        {%- set path = feature_file_path(source_node.name) -%}
        {%- set facts = parquet_facts(path) -%}
        {%- do problems.extend(feature_file_problems(path, source_node, facts)) -%}
        {%- if facts.readable -%}
            {%- do readable.append((source_node, facts.relation)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "The feature files cannot be read as the contract requires:\n  - " ~ (problems | join('\n  - '))
        ) }}
    {%- endif -%}
    {%- set registered = [] -%}
    {%- for source_node, file_relation in readable -%}
        {%- do registered.append((source_node, register_source_relation(source_node, file_relation))) -%}
    {%- endfor -%}
    {%- do assert_feature_keys_usable(registered) -%}
    {%- set labels = parquet_facts(path_var('archetypes_path')) -%}
    {%- if labels.readable -%}
        {%- for source_node in graph.sources.values() | selectattr('source_name', 'equalto', 'demo_labels') -%}
            {%- do register_source_relation(source_node, labels.relation) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
