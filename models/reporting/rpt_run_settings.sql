{#-
    Every var the run read, with the value dbt resolved for it (command
    line over dbt_project.yml), as JSON text: what the validation report
    shows as the run's settings and where it finds the outputs it counts.
-#}
{%- set settings = [
    ('input', 'features_dir', path_var('features_dir')),
    ('input', 'archetypes_path', path_var('archetypes_path')),
    ('input', 'allow_incomplete_feature_files', allowed_incomplete_feature_files()),
    ('keys', 'windows', configured_windows()),
    ('keys', 'as_of_date', requested_as_of_date()),
    ('output', 'sqlite_path', path_var('sqlite_path')),
    ('output', 'parquet_path', path_var('parquet_path')),
    ('output', 'transitions_parquet_path', transitions_parquet_path()),
    ('output', 'export_sqlite', sqlite_export_enabled()),
    ('output', 'check_free_disk_space', boolean_var('check_free_disk_space')),
    ('gate', 'max_persona_share_shift', threshold_var('max_persona_share_shift', unit='fraction')),
    ('rule', 'days_per_month', threshold_var('days_per_month', unit='days', divisor=true)),
    ('report', 'report_threshold_band', threshold_var('report_threshold_band', unit='fraction')),
] -%}

with

settings as (

    {% for var_group, var_name, value in settings -%}
    select
        '{{ var_group }}' as var_group,
        '{{ var_name }}' as var_name,
        cast(null as integer) as persona_id,
        {{ sql_string_literal(value | tojson) }} as value_json
    union all
    {% endfor -%}
    {%- for var_name, spec in persona_thresholds().items() -%}
    select
        'threshold' as var_group,
        '{{ var_name }}' as var_name,
        {{ spec.persona_id }} as persona_id,
        {{ sql_string_literal(threshold_var(var_name) | tojson) }} as value_json
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

)

select * from settings
