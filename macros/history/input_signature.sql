{% macro input_signature(signatures, as_of_date) %}
    {#-
        The signature of everything a date's fingerprint is computed from:
        its own files, the undated feature files, the archetype file and the
        configured windows (other windows give other fingerprints).
    -#}
    {{- return(local_md5(
        configured_windows() | sort | join(',') ~ '|' ~ (signatures.labels or '') ~ '|'
        ~ (signatures.undated or '') ~ '|' ~ (signatures.dates.get(as_of_date) or '')
    )) -}}
{% endmacro %}
