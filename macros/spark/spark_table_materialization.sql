{#-
    Adapted from dbt-spark 1.11 (dbt Labs, Apache License 2.0): its table
    materialization, unchanged except for the two
    spark_run_non_transactional_hooks calls. dbt-spark only runs hooks
    that are inside a transaction, so hooks configured with
    `transaction: false` (the export models' gate check and publication
    hooks, which DuckDB must run outside its transaction) were silently
    skipped on Spark. Spark has no transactions: both kinds run, in order.
    Re-check this copy when upgrading dbt-spark.
-#}
{% materialization table, adapter = 'spark', supported_languages=['sql', 'python'] %}
  {%- set language = model['language'] -%}
  {%- set identifier = model['alias'] -%}
  {%- set grant_config = config.get('grants') -%}

  {%- set old_relation = adapter.get_relation(database=database, schema=schema, identifier=identifier) -%}
  {%- set target_relation = api.Relation.create(identifier=identifier,
                                                schema=schema,
                                                database=database,
                                                type='table') -%}

  {{ spark_run_non_transactional_hooks(pre_hooks) }}
  {{ run_hooks(pre_hooks) }}

  -- setup: if the target relation already exists, drop it
  -- in case if the existing and future table is delta or iceberg, we want to do a
  -- create or replace table instead of dropping, so we don't have the table unavailable
  {% if old_relation is not none %}
    {% set is_delta = (old_relation.is_delta and config.get('file_format', validator=validation.any[basestring]) == 'delta') %}
    {% set is_iceberg = (old_relation.is_iceberg and config.get('file_format', validator=validation.any[basestring]) == 'iceberg') %}
    {% set old_relation_type = old_relation.type %}
  {% else %}
    {% set is_delta = false %}
    {% set is_iceberg = false %}
    {% set old_relation_type = target_relation.type %}
  {% endif %}

  {% if not is_delta and not is_iceberg %}
    {% set existing_relation = target_relation %}
    {{ adapter.drop_relation(existing_relation.incorporate(type=old_relation_type)) }}
  {% endif %}

  -- build model
  {%- call statement('main', language=language) -%}
    {{ create_table_as(False, target_relation, compiled_code, language) }}
  {%- endcall -%}

  {% set should_revoke = should_revoke(old_relation, full_refresh_mode=True) %}
  {% do apply_grants(target_relation, grant_config, should_revoke) %}

  {% do persist_docs(target_relation, model) %}

  {% do persist_constraints(target_relation, model) %}

  {{ run_hooks(post_hooks) }}
  {{ spark_run_non_transactional_hooks(post_hooks) }}

  {{ return({'relations': [target_relation]})}}

{% endmaterialization %}


{% macro spark_run_non_transactional_hooks(hooks) %}
    {#-
        run_hooks(hooks, inside_transaction=False) without its leading
        `commit;`, which Spark SQL rejects (Spark has no transactions).
    -#}
    {%- for hook in hooks | selectattr('transaction', 'equalto', false) -%}
        {%- set rendered = render(hook.get('sql')) | trim -%}
        {%- if rendered | length > 0 -%}
            {%- call statement(auto_begin=false) -%}
                {{ rendered }}
            {%- endcall -%}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}
