{% macro delete_stale_fingerprints() %}
    {#-
        Pre-hook of int_input_fingerprints: removes the rows of the dates
        this run hashes again (fingerprint_dates_to_hash), all of them when
        it hashes every date. A table built before signatures were stored
        gets the column first, and is hashed again whole. Nothing on a first
        build or a full refresh. The dates are listed again here, as the
        model listed them when it compiled a moment before: should Epic 2
        rewrite a date in between (a run that reads files being written is
        not supported anyway), a date can be missing for one run (the next
        one hashes it as new) or stored twice (the model's unique test stops
        the run, and the next one hashes it again).
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
