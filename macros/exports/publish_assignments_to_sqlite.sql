{% macro publish_assignments_to_sqlite(assignments) %}
    {#-
        Post-hook of export_persona_assignments_sqlite (runs outside dbt's
        transaction). Writes `assignments` into table persona_assignments of
        the SQLite database at var sqlite_path (SPEC section 6):
        - other tables of the database are never touched;
        - rows of as_of_dates this run did not evaluate are kept, rows of the
          dates it did evaluate are replaced;
        - everything happens in one SQLite transaction, so a reader, a crash
          or a failure sees either all old or all new rows, never a mix.
        Types are DuckDB's names (VARCHAR, BIGINT, DOUBLE); SQLite stores
        them with text, integer and real affinity.

        Speed (see docs/decisions.md): rows go in ordered by assignment_id,
        so SQLite appends to its B-trees instead of splitting pages all over
        them, and the indexes exist before the insert, so they grow with it
        instead of each re-reading the whole table afterwards. When every
        row of the table belongs to a date this run evaluated (the usual
        re-run), the table is dropped and rebuilt in the same transaction:
        deleting millions of rows one by one costs more than writing them.
    -#}
    {%- if not sqlite_export_enabled() -%}
        {%- if execute -%}
            {{ log(sqlite_export_skip_notice(), info=true) }}
        {%- endif -%}
        {{ return('') }}
    {%- endif -%}
    {%- set database_alias = 'persona_sqlite' -%}
    {%- set table = database_alias ~ '.main.persona_assignments' -%}
    {%- set evaluated_dates -%}
        select distinct cast(as_of_date as varchar) from {{ assignments }}
    {%- endset -%}
    {%- set attach_database -%}
        load sqlite_scanner;
        attach if not exists {{ sql_string_literal(path_var('sqlite_path')) }}
            as {{ database_alias }} (type sqlite)
    {%- endset -%}
    {%- set rows_kept = sqlite_rows_kept(database_alias, evaluated_dates, attach_database) if execute -%}
    {%- set rebuild_table = rows_kept == 0 -%}
    {{ attach_database }};
    begin transaction;
    {%- if rebuild_table %}
    -- Re-checked inside the transaction: a row of another date that appeared
    -- since the check above would be lost by the rebuild, so stop instead.
    select error('Rows of other as_of_dates appeared in ' || {{ sql_string_literal(path_var('sqlite_path')) }}
        || ' while this run was publishing; nothing was changed. Re-run to publish.')
    from {{ table }}
    where as_of_date not in ({{ evaluated_dates }})
    limit 1;
    drop table if exists {{ table }};
    {%- endif %}
    create table if not exists {{ table }} (
        assignment_id varchar primary key,
        user_id varchar not null,
        window_days bigint not null,
        as_of_date varchar not null,
        primary_persona_id bigint,
        primary_persona_name varchar,
        primary_priority varchar,
        primary_severity double,
        secondary_persona_id bigint,
        secondary_persona_name varchar,
        secondary_priority varchar,
        secondary_severity double,
        status varchar not null,
        assignment_trace varchar not null,
        computed_at varchar,
        unique (user_id, window_days, as_of_date)
    );
    create index if not exists idx_persona_assignments_user_window
        on {{ table }} (user_id, window_days);
    create index if not exists idx_persona_assignments_primary_persona
        on {{ table }} (primary_persona_id);
    create index if not exists idx_persona_assignments_status
        on {{ table }} (status);
    {%- if not rebuild_table %}
    delete from {{ table }}
    where as_of_date in ({{ evaluated_dates }});
    {%- endif %}
    insert into {{ table }}
    select
        assignment_id,
        user_id,
        window_days,
        cast(as_of_date as varchar),
        primary_persona_id,
        primary_persona_name,
        primary_priority,
        primary_severity,
        secondary_persona_id,
        secondary_persona_name,
        secondary_priority,
        secondary_severity,
        status,
        assignment_trace,
        strftime(computed_at, '%Y-%m-%dT%H:%M:%SZ')
    from {{ assignments }}
    order by assignment_id;
    commit;
    detach {{ database_alias }};
{%- endmacro %}
