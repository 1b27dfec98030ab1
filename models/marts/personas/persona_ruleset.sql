{#-
    The ruleset that decides this run's assignments, and its version: a
    short, stable hash of every threshold var, the windows, days_per_month
    and the personas seed. Every assignment row and trace carries the
    version, so a stored date says which rules decided it.
-#}
-- depends_on: {{ ref('personas') }}
{% set definition_json = ruleset_definition() -%}

with

ruleset as (

    select
        {{ sql_string_literal(local_md5(definition_json)[:12]) }} as ruleset_version,
        {{ sql_string_literal(definition_json) }} as ruleset_definition

)

select * from ruleset
