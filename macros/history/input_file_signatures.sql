{% macro input_file_signatures() %}
    {#-
        What the input files are now, without reading them: a dict with
        `dates` (ISO as_of_date -> a signature of the files in that date's
        as_of_date=YYYY-MM-DD folders), `undated` (the same for the feature
        files outside such folders, or none) and `labels` (the archetype
        file, or none). A signature is an md5 of each file's path, size and
        modification time in nanoseconds (the plugin's file_signature), as
        rsync compares them. int_input_fingerprints hashes again only the
        dates whose signature changed. None where the engine cannot tell
        (Spark): every date is hashed on every run.
    -#}
    {{- return(adapter.dispatch('input_file_signatures', 'spendsense_personas')()) -}}
{% endmacro %}

{% macro default__input_file_signatures() %}
    {{- return(none) -}}
{% endmacro %}

{% macro duckdb__input_file_signatures() %}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {#- Every place feature_file_facts looks (both layouts, a file or a folder of parts), and the labels. -#}
    {%- set places = [('labels', path_var('archetypes_path'))] -%}
    {%- for file_name in feature_file_names() -%}
        {%- do places.append(('features', feature_file_path(file_name))) -%}
        {%- do places.append(('features', path_var('features_dir') ~ '/as_of_date=*/' ~ file_name ~ '.parquet')) -%}
    {%- endfor -%}
    {%- set query -%}
        with found as (
            {%- for kind, path in places %}
            {%- for pattern in [path, path ~ '/**/*.parquet'] %}
            select '{{ kind }}' as kind, file from glob({{ sql_string_literal(pattern) }})
            {%- if not loop.last %} union{% endif %}
            {%- endfor %}
            {%- if not loop.last %} union{% endif %}
            {%- endfor %}
        ),

        -- a folder of parts is signed by its parts
        files as (
            select * from found
            where not exists (
                select 1 from found as inside
                where starts_with(inside.file, found.file || '/')
            )
        )

        select
            kind,
            case when kind = 'features' then
                nullif(regexp_extract(file, 'as_of_date=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1), '')
            end as as_of_date,
            md5(string_agg(file || '=' || file_signature(file), '|' order by file)) as signature
        from files
        group by 1, 2
    {%- endset -%}
    {%- set signatures = {'dates': {}, 'undated': none, 'labels': none} -%}
    {%- for kind, as_of_date, signature in run_query(query).rows -%}
        {%- if kind == 'labels' -%}
            {%- do signatures.update({'labels': signature}) -%}
        {%- elif as_of_date is none -%}
            {%- do signatures.update({'undated': signature}) -%}
        {%- else -%}
            {%- do signatures.dates.update({as_of_date: signature}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(signatures) }}
{% endmacro %}
