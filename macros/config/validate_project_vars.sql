{% macro validate_project_vars() %}
    {#-
        Run from on-run-start: every var is checked before any model SQL
        runs, so a typo in --vars stops the run with a message naming the var
        instead of failing deep inside a query (or, worse, being spliced into
        one).
    -#}
    {%- if execute -%}
        {%- for name in ['features_dir', 'archetypes_path', 'sqlite_path', 'parquet_path', 'what_if_dir'] -%}
            {%- do path_var(name) -%}
        {%- endfor -%}
        {%- for name in persona_thresholds() -%}
            {%- do threshold_var(name) -%}
        {%- endfor -%}
        {%- do threshold_var('days_per_month', unit='days', divisor=true) -%}
        {%- do threshold_var('report_threshold_band', unit='fraction') -%}
        {%- do threshold_var('max_persona_share_shift', unit='fraction') -%}
        {%- do transitions_parquet_path() -%}
        {%- do boolean_var('export_sqlite') -%}
        {%- do boolean_var('check_free_disk_space') -%}
        {%- do configured_windows() -%}
        {%- do requested_as_of_date() -%}
        {%- do allowed_incomplete_feature_files() -%}
        {%- do threshold_var('what_if_examples_per_cell', unit='count') -%}
        {%- do threshold_var('what_if_max_scenarios', unit='count', divisor=true) -%}
        {%- do assert_what_if_runnable() -%}
    {%- endif -%}
{% endmacro %}
