{% macro feature_file_facts(file_name) %}
    {#-
        Where the Epic 2 feature file `file_name` is, in either layout of
        var features_dir, and what the engine can tell about it
        (parquet_facts): `<dir>/<file_name>.parquet` (a file or a folder of
        Parquet parts) holding any number of as_of_dates, or one folder per
        date, `<dir>/as_of_date=YYYY-MM-DD/<file_name>.parquet`. Adds
        `path` (as messages name it), `dated` (true for the folder layout:
        the folder's date is the rows' as_of_date) and `both_layouts`.
    -#}
    {%- set single_path = feature_file_path(file_name) -%}
    {%- set dated_path = path_var('features_dir') ~ '/as_of_date=*/' ~ file_name ~ '.parquet' -%}
    {%- set single = parquet_facts(single_path) -%}
    {%- set dated = parquet_facts(dated_path) -%}
    {%- set facts = dated if dated.found and not single.found else single -%}
    {%- do facts.update({
        'path': dated_path if dated.found and not single.found else single_path,
        'dated': dated.found and not single.found,
        'both_layouts': single.found and dated.found,
    }) -%}
    {{ return(facts) }}
{% endmacro %}
