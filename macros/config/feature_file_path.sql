{% macro feature_file_path(file_name) %}
    {#- Where the Epic 2 feature file `<file_name>.parquet` is read from. -#}
    {{- return(path_var('features_dir') ~ '/' ~ file_name ~ '.parquet') -}}
{% endmacro %}
