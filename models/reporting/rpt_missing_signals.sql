{#-
    For each feature file, per as_of_date and window, how many assignment
    keys had no row in it (assigned anyway, with that file's criteria
    failing). Only files with missing rows appear.
-#}

with

signals as (

    select * from {{ ref('int_feature_signals') }}

),

missing as (

    {% for file_name in feature_file_names() -%}
    select
        '{{ file_name }}' as missing_signal,
        as_of_date,
        window_days,
        count(*) as key_count

    from signals
    where not has_{{ file_name }}_signal
    group by as_of_date, window_days
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}

)

select * from missing
