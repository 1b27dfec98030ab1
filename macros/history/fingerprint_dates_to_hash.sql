{% macro fingerprint_dates_to_hash(signatures) %}
    {#-
        The as_of_dates int_input_fingerprints (re)hashes in this run: the
        dates of new files and the stored dates whose input_signature is no
        longer the files' (changed, removed, or stored before signatures
        existed). None means every date: a first build, a full refresh, an
        engine without signatures, or undated feature files (one file holding
        every date) that changed or have nothing stored. A date whose files
        hold no row of a configured window stores nothing, so it is read
        again on every run (a few empty files).
    -#}
    {%- if not execute or signatures is none or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {#- A table built before signatures were stored is hashed again once. -#}
    {%- if not has_input_signatures(this) -%}
        {{ return(none) }}
    {%- endif -%}
    {#- A date stored with two signatures (see delete_stale_fingerprints) matches neither. -#}
    {%- set stored = {} -%}
    {%- for as_of_date, first, last in run_query(
        'select cast(as_of_date as string), min(input_signature), max(input_signature) from '
        ~ this ~ ' group by 1'
    ).rows -%}
        {%- do stored.update({as_of_date: first if first == last else none}) -%}
    {%- endfor -%}
    {%- set dates = [] -%}
    {%- for as_of_date, signature in stored.items() if signature != input_signature(signatures, as_of_date) -%}
        {%- do dates.append(as_of_date) -%}
    {%- endfor -%}
    {#- An undated file holds dates the signatures cannot list: read it whole. -#}
    {%- if signatures.undated is not none and (dates or not stored) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for as_of_date in signatures.dates if as_of_date not in stored -%}
        {%- do dates.append(as_of_date) -%}
    {%- endfor -%}
    {{ return(dates | unique | sort | list) }}
{% endmacro %}
