{% macro feature_file_names() %}
    {#-
        The five Epic 2 feature files (source epic2_features), by name: the
        file is <name>.parquet, the staging model stg_features__<name>.
    -#}
    {{ return(['subscriptions', 'savings', 'credit', 'income', 'cash_flow']) }}
{% endmacro %}
