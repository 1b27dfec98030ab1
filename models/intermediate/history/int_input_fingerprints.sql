{#-
    A fingerprint of the input rows of every (as_of_date, window_days) pair
    in the feature files: per file its row count and the sum of a hash of
    every staged row, hashed together, with the archetype labels the gate
    checks the date against (its dated labels, or the undated ones that
    hold for every date). When Epic 2 rewrites a date, or features_dir
    points at other files, the fingerprint of the pairs that changed
    changes, and int_evaluation_plan evaluates them again.
-#}
{%- set windows = configured_windows() -%}

with

{% for file_name in feature_file_names() -%}
{{ file_name }} as (

    select
        staged.as_of_date,
        staged.window_days,
        count(*) as row_count,
        {{ row_hash_sum('staged') }} as row_hash_sum

    from {{ ref('stg_features__' ~ file_name) }} as staged
    where
        staged.as_of_date is not null
        and staged.window_days in ({{ windows | join(', ') }})
    group by staged.as_of_date, staged.window_days

),

{% endfor -%}

labels as (

    select
        labels.as_of_date,
        count(*) as row_count,
        {{ row_hash_sum('labels') }} as row_hash_sum

    from {{ ref('stg_labels__user_archetypes') }} as labels
    group by labels.as_of_date

),

pairs as (

    {% for file_name in feature_file_names() -%}
    select
        as_of_date,
        window_days

    from {{ file_name }}
    {% if not loop.last %}union
    {% endif -%}
    {%- endfor %}

),

fingerprints as (

    select
        pairs.as_of_date,
        pairs.window_days,
        md5(concat_ws(
            '|'
            {% for file_name in feature_file_names() %},
            '{{ file_name }}:' || coalesce(cast({{ file_name }}.row_count as string), '0') || ':'
            || coalesce(cast({{ file_name }}.row_hash_sum as string), '0')
            {% endfor %},
            'labels:' || coalesce(cast(dated_labels.row_count as string), '0') || ':'
            || coalesce(cast(dated_labels.row_hash_sum as string), '0') || ':'
            || coalesce(cast(undated_labels.row_count as string), '0') || ':'
            || coalesce(cast(undated_labels.row_hash_sum as string), '0')
        )) as input_fingerprint

    from pairs
    left join labels as dated_labels
        on pairs.as_of_date = dated_labels.as_of_date
    left join labels as undated_labels
        on undated_labels.as_of_date is null
    {% for file_name in feature_file_names() -%}
    left join {{ file_name }}
        on
            pairs.as_of_date = {{ file_name }}.as_of_date
            and pairs.window_days = {{ file_name }}.window_days
    {% endfor %}

)

select * from fingerprints
