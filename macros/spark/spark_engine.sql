{#-
    Spark (dbt-spark) implementations of the project's engine macros where
    the default__ (ANSI / Spark-flavoured) one does not fit.
-#}

{% macro spark__to_json_text(struct_expression) -%}
    {#- Spark's to_json drops NULL fields by default; the trace keeps them ("severity": null). -#}
    to_json({{ struct_expression }}, map('ignoreNullFields', 'false'))
{%- endmacro %}


{% macro spark__relative_path_note(var_name) -%}
    {#-
        Spark resolves paths itself, in the engine's JVM: in session mode that
        runs in the dbt process, but a Spark Thrift server resolves a relative
        path against its own working directory, on its own machine (and its
        workers read what it names). Asked, not assumed: dbt's target does not
        say which method the profile uses. The directory is substituted into
        the SQL text where Spark parses it, on the driver (the reflect()
        function would run on an executor, in a worker's folder).
    -#}
    {%- set path = path_var(var_name) -%}
    {%- if path.startswith('/') or modules.re.match('^[A-Za-z][A-Za-z0-9+.-]*:', path) -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set working_directory = run_query("select '${system:user.dir}'").columns[0].values()[0] -%}
    {{- return(
        "\nvar " ~ var_name ~ " <" ~ path ~ "> is a relative path, and Spark resolves it itself, on the "
        ~ "machine it runs on, against its own working directory " ~ working_directory ~ ". "
        ~ "Through a Spark Thrift server that is the server's folder, not the one dbt runs in: give "
        ~ "an absolute path or a URI (hdfs://, s3a://) on storage the server and its workers share."
    ) -}}
{%- endmacro %}
