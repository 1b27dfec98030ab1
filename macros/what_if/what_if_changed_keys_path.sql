{% macro what_if_changed_keys_path() %}
    {#- Where a what-if writes its changed keys: changed_keys.parquet in var what_if_dir. -#}
    {{ return(path_var('what_if_dir').rstrip('/') ~ '/changed_keys.parquet') }}
{% endmacro %}
