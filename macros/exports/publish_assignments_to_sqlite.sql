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

        Two paths (see docs/decisions.md, "Performance at a million users"):
        - Swap, when the table is missing or every row in it belongs to a
          date this run evaluated (a first run, or the usual re-run): the
          rows are written into a new table, the old table is dropped, the
          new one takes its name and gets its indexes. The new table is
          written before the old one is freed, so SQLite never has to
          journal pages it overwrites.
        - Delete, when rows of other dates must be kept: the evaluated
          dates are deleted and the rows inserted, so history is never
          copied.
        Rows go in ordered by assignment_id, so SQLite appends to its
        primary-key B-tree instead of splitting pages all over it.
    -#}
    {%- if not sqlite_export_enabled() -%}
        {%- if execute -%}
            {{ log(sqlite_export_skip_notice(), info=true) }}
        {%- endif -%}
        {{ return('') }}
    {%- endif -%}
    {%- set database_alias = 'persona_sqlite' -%}
    {%- set table = database_alias ~ '.main.persona_assignments' -%}
    {%- set next_table = database_alias ~ '.main.persona_assignments__next' -%}
    {%- set sqlite_path = sql_string_literal(path_var('sqlite_path')) -%}
    {%- set evaluated_dates -%}
        select distinct cast(as_of_date as varchar) from {{ assignments }}
    {%- endset -%}
    {%- set attach_database -%}
        load sqlite_scanner;
        attach if not exists {{ sqlite_path }} as {{ database_alias }} (type sqlite)
    {%- endset -%}
    {%- set rows_kept = sqlite_rows_kept(database_alias, evaluated_dates, attach_database) if execute -%}
    {%- set table_exists = rows_kept is not none -%}
    {%- set swap_table = not rows_kept -%}
    {{ attach_database }};
    begin transaction;
    {%- if swap_table %}
    {%- if table_exists %}
    -- Re-checked inside the transaction: a row of another date that appeared
    -- since the check above would be lost by the swap, so stop instead.
    select error('Rows of other as_of_dates appeared in ' || {{ sqlite_path }}
        || ' while this run was publishing; nothing was changed. Re-run to publish.')
    from {{ table }}
    where as_of_date not in ({{ evaluated_dates }})
    limit 1;
    {%- endif %}
    -- Only this export creates the next table, and it never outlives the
    -- transaction; dropping a leftover costs nothing.
    drop table if exists {{ next_table }};
    {{ sqlite_assignments_table_ddl(next_table) }};
    {{ sqlite_assignments_insert(next_table, assignments) }};
    {%- if table_exists %}
    drop table {{ table }};
    {%- endif %}
    -- If the table appeared since the check above, the rename fails and the
    -- transaction, with everything in it, is rolled back.
    alter table {{ next_table }} rename to persona_assignments;
    {{ sqlite_assignments_indexes(table) }};
    {%- else %}
    {{ sqlite_assignments_indexes(table) }};
    delete from {{ table }}
    where as_of_date in ({{ evaluated_dates }});
    {{ sqlite_assignments_insert(table, assignments) }};
    {%- endif %}
    commit;
    detach {{ database_alias }};
{%- endmacro %}


{% macro sqlite_assignments_table_ddl(table) %}
    {#- The SQLite persona_assignments table of SPEC section 6. -#}
    create table {{ table }} (
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
    )
{%- endmacro %}


{% macro sqlite_assignments_indexes(table) %}
    {#-
        The three lookup indexes of SPEC section 6. Created after the rows
        are in on the swap path: building an index from a finished table
        is cheaper than growing it row by row.
    -#}
    create index if not exists idx_persona_assignments_user_window
        on {{ table }} (user_id, window_days);
    create index if not exists idx_persona_assignments_primary_persona
        on {{ table }} (primary_persona_id);
    create index if not exists idx_persona_assignments_status
        on {{ table }} (status)
{%- endmacro %}


{% macro sqlite_assignments_insert(table, assignments) %}
    {#- The rows of `assignments` in SQLite's types, in primary-key order. -#}
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
    order by assignment_id
{%- endmacro %}
