{% macro prepare_feature_sources() %}
    {#-
        Run from on-run-start, before any model, on every engine. For each
        Epic 2 feature file declared in source epic2_features:
        1. find it in either layout of var features_dir and read its facts
           (feature_file_facts: exists, Parquet, columns and types per file,
           rows); a file may also be a folder of Parquet parts, as Spark
           writes them;
        2. judge them (feature_file_problems) and stop, naming the file and
           the column and saying what to do, if anything is wrong;
        3. register it as the relation dbt's source() names: a view with the
           source's declared columns over the file(s), plus the file each row
           came from (register_source_relation); in the folder layout the
           folder's date is the rows' as_of_date, and a file whose own
           as_of_date column says otherwise stops the run;
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
    {%- set missing = [] -%}
    {%- for source_node in graph.sources.values() | selectattr('source_name', 'equalto', 'epic2_features') -%}
        {%- set facts = feature_file_facts(source_node.name) -%}
        {%- do problems.extend(feature_file_problems(source_node, facts)) -%}
        {%- if not facts.found -%}
            {%- do missing.append(source_node.name) -%}
        {%- endif -%}
        {%- if facts.readable -%}
            {%- do readable.append((source_node, facts)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not problems -%}
        {%- for source_node, facts in readable if facts.dated and 'as_of_date' in facts.columns -%}
            {%- do problems.extend(folder_date_problems(facts)) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "The feature files cannot be read as the contract requires:\n  - " ~ (problems | join('\n  - '))
            ~ (relative_path_note('features_dir') if missing else '')
        ) }}
    {%- endif -%}
    {%- set registered = [] -%}
    {%- for source_node, facts in readable -%}
        {%- do registered.append((source_node, register_source_relation(source_node, facts))) -%}
    {%- endfor -%}
    {%- do assert_feature_keys_usable(registered) -%}
    {%- set labels = parquet_facts(path_var('archetypes_path')) -%}
    {%- if labels.readable -%}
        {%- do labels.update({'path': path_var('archetypes_path'), 'dated': false}) -%}
        {%- for source_node in graph.sources.values() | selectattr('source_name', 'equalto', 'demo_labels') -%}
            {%- do register_source_relation(source_node, labels) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}


{% macro folder_date_expression(file_column) %}
    {#- The date in a path's as_of_date=YYYY-MM-DD folder, as a DATE. -#}
    cast(regexp_extract({{ file_column }}, 'as_of_date=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) as date)
{%- endmacro %}


{% macro folder_date_problems(facts) %}
    {#-
        In the folder layout, files that also carry an as_of_date column must
        agree with their folder: one message per file that does not.
    -#}
    {%- set disagreeing = run_query(
        'select ' ~ facts.file_column ~ ' as file_name, min(cast(' ~ safe_cast_date('as_of_date')
        ~ ' as string)) as file_date, cast(' ~ folder_date_expression(facts.file_column)
        ~ ' as string) as folder_date, count(*) as row_count from ' ~ facts.relation
        ~ ' where ' ~ safe_cast_date('as_of_date') ~ ' != ' ~ folder_date_expression(facts.file_column)
        ~ ' group by 1, 3 order by 1 limit 10'
    ) -%}
    {%- set problems = [] -%}
    {%- for row in disagreeing.rows -%}
        {%- do problems.append(
            "Feature file " ~ row['file_name'] ~ " has as_of_date " ~ row['file_date'] ~ " in "
            ~ row['row_count'] ~ " rows, but its folder says " ~ row['folder_date'] ~ ". Put the "
            ~ "file in the folder of its date (as_of_date=YYYY-MM-DD), or fix the column in the "
            ~ "Epic 2 export."
        ) -%}
    {%- endfor -%}
    {{ return(problems) }}
{% endmacro %}
