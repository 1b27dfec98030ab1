{% macro assert_feature_keys_usable(sources) %}
    {#-
        Checks the keys across the registered feature files (`sources`: a
        list of (source node, relation) pairs), with one query over all of
        them, and stops the run before any model when:
        - a window_days is not a whole number (30.0 is fine, 30.4 is not);
        - var as_of_date is set to a date no file holds;
        - a whole file has no rows for an (as_of_date, window_days) pair that
          another file has, among the configured windows (and the requested
          date): its signal would be missing for every user of that pair.
          A user missing from one file is normal; a file missing a whole
          date or window is a partial export. Files listed in var
          allow_incomplete_feature_files (a retired signal) may miss pairs.
        Same SQL on every engine (the date cast is dispatched). The query
        over every row reads the key columns but not user_id: the example
        user of a message is looked up by a second query, only when a
        window is not whole (reading every user_id took 0.7 s of the 1.2 s
        at seven dates of 1M users, docs/decisions.md).
    -#}
    {%- if not sources -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set selects = [] -%}
    {%- for source_node, relation in sources -%}
        {%- do selects.append(
            "select " ~ sql_string_literal(source_node.name) ~ " as file_name, "
            ~ safe_cast_date('as_of_date') ~ " as as_of_date, "
            ~ "cast(window_days as double) as window_days from " ~ relation
        ) -%}
    {%- endfor -%}
    {%- set pairs = run_query(
        "select file_name, cast(as_of_date as string) as as_of_date, window_days, "
        ~ "window_days = floor(window_days) as is_whole, count(*) as row_count "
        ~ "from (" ~ selects | join(' union all ') ~ ") as feature_keys "
        ~ "where as_of_date is not null and window_days is not null "
        ~ "group by file_name, as_of_date, window_days order by file_name, as_of_date, window_days"
    ) -%}

    {%- set fractions = [] -%}
    {%- for row in pairs.rows if not row['is_whole'] -%}
        {%- set relation = (sources | selectattr('0.name', 'equalto', row['file_name']) | first)[1] -%}
        {%- set example_user_id = run_query(
            "select min(user_id) from " ~ relation ~ " where cast(window_days as double) = "
            ~ row['window_days'] ~ " and cast(" ~ safe_cast_date('as_of_date') ~ " as string) = "
            ~ sql_string_literal(row['as_of_date'])
        ).columns[0].values()[0] -%}
        {%- do fractions.append(
            "Feature file " ~ feature_file_path(row['file_name']) ~ " has window_days " ~ row['window_days']
            ~ " (" ~ row['row_count'] ~ " rows, e.g. user_id=" ~ example_user_id ~ ", as_of_date="
            ~ row['as_of_date'] ~ "), which is not a whole number of days. A window is a whole number "
            ~ "of days (30 or 30.0): fix the Epic 2 export, then re-run."
        ) -%}
    {%- endfor -%}
    {%- if fractions -%}
        {{ exceptions.raise_compiler_error(fractions | join('\n')) }}
    {%- endif -%}

    {%- set requested = requested_as_of_date() -%}
    {%- set present_dates = pairs.columns['as_of_date'].values() | unique | sort | list -%}
    {%- if requested is not none and requested not in present_dates -%}
        {{ exceptions.raise_compiler_error(
            "var as_of_date = " ~ requested ~ " matches no row in the feature files under "
            ~ var('features_dir') ~ ". Dates present: "
            ~ (present_dates | join(', ') if present_dates else 'none') ~ ". "
            ~ "Pass one of them, or leave as_of_date unset to evaluate every date."
        ) }}
    {%- endif -%}

    {%- set windows = configured_windows() -%}
    {%- set allowed = allowed_incomplete_feature_files() -%}
    {%- set held = {} -%}
    {%- set evaluated = [] -%}
    {%- for source_node, relation in sources -%}
        {%- do held.update({source_node.name: []}) -%}
    {%- endfor -%}
    {%- for row in pairs.rows -%}
        {%- set pair = (row['as_of_date'], row['window_days'] | int) -%}
        {%- do held[row['file_name']].append(pair) -%}
        {%- if pair[1] in windows and (requested is none or pair[0] == requested) and pair not in evaluated -%}
            {%- do evaluated.append(pair) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set gaps = [] -%}
    {%- for file_name, pairs_held in held.items() if file_name not in allowed -%}
        {%- set missing = [] -%}
        {%- for pair in evaluated | sort if pair not in pairs_held -%}
            {%- do missing.append(pair) -%}
        {%- endfor -%}
        {%- if missing -%}
            {%- do gaps.append(file_name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if gaps -%}
        {%- set lines = [] -%}
        {%- for file_name, pairs_held in held.items() -%}
            {%- set missing = [] -%}
            {%- for pair in evaluated | sort if pair not in pairs_held -%}
                {%- do missing.append(pair) -%}
            {%- endfor -%}
            {%- do lines.append(
                file_name ~ ".parquet holds " ~ (date_window_list(pairs_held) or 'nothing')
                ~ ("; missing " ~ date_window_list(missing) if missing else "")
                ~ (" (allowed: var allow_incomplete_feature_files)" if file_name in allowed and missing else "")
            ) -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error(
            "The feature files under " ~ var('features_dir') ~ " do not hold the same as_of_dates and "
            ~ "windows, so every user of a whole date or window would be assigned without "
            ~ (gaps | join(', ')) ~ " signals; nothing was evaluated. What each file holds "
            ~ "(as_of_date: window_days; configured windows " ~ windows | join(', ') ~ "):\n  - "
            ~ lines | join('\n  - ') ~ "\n"
            ~ "Re-export the incomplete files from Epic 2; or evaluate only a date every file holds "
            ~ "(--vars '{as_of_date: YYYY-MM-DD}') or the windows they hold (var windows); or, for a "
            ~ "signal that is retired, list its file in var allow_incomplete_feature_files "
            ~ "(e.g. [credit]) to assign those keys with the signal missing."
        ) }}
    {%- endif -%}
{% endmacro %}


{% macro date_window_list(pairs) %}
    {#- "2025-11-03: 30, 180; 2025-11-04: 30" for a list of (as_of_date, window_days) pairs. -#}
    {%- set by_date = {} -%}
    {%- for as_of_date, window_days in pairs | sort -%}
        {%- do by_date.setdefault(as_of_date, []).append(window_days | string) -%}
    {%- endfor -%}
    {%- set parts = [] -%}
    {%- for as_of_date, window_list in by_date.items() -%}
        {%- do parts.append(as_of_date ~ ": " ~ window_list | join(', ')) -%}
    {%- endfor -%}
    {{ return(parts | join('; ')) }}
{% endmacro %}
