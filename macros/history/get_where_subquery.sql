{% macro get_where_subquery(relation) %}
    {#-
        dbt's `where` config of a data test, with one addition: `where:
        evaluated_pairs` restricts the test to the (as_of_date, window_days)
        pairs this run evaluated (int_evaluation_plan). The tests of the
        incremental history tables use it: the rows of the other dates were
        tested when they were evaluated and have not changed since, and a
        daily run should not re-read the whole history to test them again.
        Any other `where` works as in dbt.
    -#}
    {%- set where = config.get('where') -%}
    {%- if where == 'evaluated_pairs' -%}
        {%- set where = pairs_condition(this_run_pairs()) if history_is_incremental() else none -%}
    {%- endif -%}
    {%- if where -%}
        {{ return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') }}
    {%- endif -%}
    {{ return(relation) }}
{% endmacro %}


{% macro this_run_pairs() %}
    {#-
        The pairs this run evaluated, for a data test (evaluated_pairs, with
        the plan looked up in the target schema: a test cannot ref() a
        model it does not test). An empty list before the plan exists.
    -#}
    {%- set plan = adapter.get_relation(
        database=target.database, schema=target.schema, identifier='int_evaluation_plan'
    ) if execute else none -%}
    {{ return(evaluated_pairs(plan) if plan is not none else []) }}
{% endmacro %}
