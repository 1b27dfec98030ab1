{#-
    Report: what this run evaluated, per reason (new, inputs changed,
    as_of_date requested, full refresh), and what it left as stored
    (`not evaluated`): the pairs, and their first and last as_of_date.
-#}

with

evaluation_plan as (

    select * from {{ ref('int_evaluation_plan') }}

),

summary as (

    select
        coalesce(evaluation_reason, 'not evaluated') as evaluation_reason,
        max(ruleset_version) as ruleset_version,
        count(*) as pair_count,
        count(distinct as_of_date) as date_count,
        min(as_of_date) as first_as_of_date,
        max(as_of_date) as last_as_of_date

    from evaluation_plan
    group by coalesce(evaluation_reason, 'not evaluated')

)

select * from summary
