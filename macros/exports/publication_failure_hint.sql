{% macro publication_failure_hint(message) %}
    {#- What to do about a failed export, read from the database error text. -#}
    {%- set text = (message or '') | lower -%}
    {%- if 'unable to open database' in text or 'unable to create the folder' in text
        or 'no such file or directory' in text -%}
        {{ return("The output folder does not exist or cannot be written: point var sqlite_path / "
            ~ "parquet_path at a folder this user can create and write.") }}
    {%- elif 'readonly' in text or 'read-only' in text or 'permission denied' in text -%}
        {{ return("The output file is read-only for this user: make it writable, or point var "
            ~ "sqlite_path / parquet_path at a writable location.") }}
    {%- elif 'disk is full' in text or 'not enough free disk space' in text -%}
        {{ return("The disk holding the SQLite database is full: free up space (the message above "
            ~ "says how much the export needs) or point var sqlite_path at a larger disk, then re-run.") }}
    {%- elif 'locked' in text or 'busy' in text -%}
        {{ return("Another process holds the SQLite database in a transaction (a reader or a "
            ~ "second run). Nothing was changed; re-run when it has finished.") }}
    {%- else -%}
        {{ return("Fix the cause above and re-run; nothing was half-written.") }}
    {%- endif -%}
{% endmacro %}
