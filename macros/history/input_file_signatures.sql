{% macro input_file_signatures() %}
    {#-
        What the input files are now, without reading them: a dict with
        `dates` (ISO as_of_date -> a signature of the files of that date's
        as_of_date=YYYY-MM-DD folders), `undated` (the same for feature
        files outside such folders, or none) and `labels` (the archetype
        file). A signature is an md5 of each file's path, size and
        modification time in nanoseconds (the plugin's file_signature).
        int_input_fingerprints hashes again only the dates whose signature
        changed. None where the engine cannot tell (Spark): every date is
        hashed on every run.
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
    {#- Both layouts of every feature file, each as a file or a folder of parts (feature_file_facts). -#}
    {%- set globs = [] -%}
    {%- for file_name in feature_file_names() -%}
        {%- for path in [
            feature_file_path(file_name),
            path_var('features_dir') ~ '/as_of_date=*/' ~ file_name ~ '.parquet',
        ] -%}
            {%- do globs.append('select file from glob(' ~ sql_string_literal(path) ~ ')') -%}
            {%- do globs.append('select file from glob(' ~ sql_string_literal(path ~ '/**/*.parquet') ~ ')') -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set labels = 'select file from glob(' ~ sql_string_literal(path_var('archetypes_path')) ~ ')' -%}
    {%- set rows = run_query(
        'with found as (' ~ globs | join(' union ') ~ '), '
        ~ 'files as (select file from found where not exists '
        ~ "(select 1 from found as inside where starts_with(inside.file, found.file || '/'))), "
        ~ "dated as (select file, nullif(regexp_extract(file, 'as_of_date=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1), '') "
        ~ 'as as_of_date from files), '
        ~ "grouped as (select 'features' as kind, as_of_date, file from dated "
        ~ "union all select 'labels' as kind, null as as_of_date, file from (" ~ labels ~ ")) "
        ~ "select kind, as_of_date, md5(string_agg(file || '=' || file_signature(file), '|' order by file)) "
        ~ 'from grouped group by kind, as_of_date'
    ).rows -%}
    {%- set signatures = {'dates': {}, 'undated': none, 'labels': none} -%}
    {%- for kind, as_of_date, signature in rows -%}
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


{% macro input_signature(signatures, as_of_date) %}
    {#-
        The signature of everything a date's fingerprint is computed from:
        its own files, the undated feature files, the archetype file and the
        configured windows (other windows give other fingerprints).
    -#}
    {{- return(local_md5(
        configured_windows() | join(',') ~ '|' ~ (signatures.labels or '') ~ '|'
        ~ (signatures.undated or '') ~ '|' ~ (signatures.dates.get(as_of_date) or '')
    )) -}}
{% endmacro %}


{% macro fingerprint_dates_to_hash(signatures) %}
    {#-
        The as_of_dates int_input_fingerprints (re)hashes in this run: the
        dates of new files and the stored dates whose input_signature is no
        longer the files' (changed, removed, or stored before signatures
        existed). None means every date: a first build, a full refresh, an
        engine without signatures, or a change to an undated feature file
        (one file holding every date) or to what every date depends on.
    -#}
    {%- if not execute or signatures is none or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {#- A table built before signatures were stored is hashed again once. -#}
    {%- if not has_input_signatures(this) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set stored = {} -%}
    {%- for row in run_query(
        'select distinct cast(as_of_date as string), input_signature from ' ~ this
    ).rows -%}
        {%- do stored.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {%- set dates = [] -%}
    {%- for as_of_date, signature in stored.items() if signature != input_signature(signatures, as_of_date) -%}
        {%- do dates.append(as_of_date) -%}
    {%- endfor -%}
    {%- if dates and signatures.undated is not none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for as_of_date in signatures.dates if as_of_date not in stored -%}
        {%- do dates.append(as_of_date) -%}
    {%- endfor -%}
    {{ return(dates | unique | sort | list) }}
{% endmacro %}


{% macro delete_stale_fingerprints() %}
    {#-
        Pre-hook of int_input_fingerprints: removes the rows of the dates
        this run hashes again (fingerprint_dates_to_hash), all of them when
        it hashes every date. A table built before signatures were stored
        gets the column first, and is hashed again whole. Nothing on a first
        build or a full refresh.
    -#}
    {%- if is_incremental() -%}
        {%- if not has_input_signatures(this) -%}
            alter table {{ this }} add column input_signature varchar;
            delete from {{ this }}
        {%- else -%}
            {%- set dates = fingerprint_dates_to_hash(input_file_signatures()) -%}
            delete from {{ this }}
            {%- if dates is not none %} where {{ dates_condition(dates, 'as_of_date') }}{% endif %}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}


{% macro has_input_signatures(relation) %}
    {#- Whether the stored int_input_fingerprints has its input_signature column. -#}
    {{- return('input_signature' in adapter.get_columns_in_relation(relation) | map(attribute='name') | list) -}}
{% endmacro %}
