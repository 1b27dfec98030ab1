{%- set signals = feature_file_names() -%}

with

signals as (

    select * from {{ ref('int_feature_signals') }}

),

missing as (

    {% for signal in signals -%}
    select
        '{{ signal }}' as missing_signal,
        count(*) filter (where not has_{{ signal }}_signal) as key_count

    from signals
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

)

select * from missing
