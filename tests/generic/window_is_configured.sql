{% test window_is_configured(model) %}
{#-
    Rows whose window_days is not one of var `windows`. They are ignored (no
    assignment) and reported by this warning-level test.
-#}
select
    user_id,
    window_days,
    as_of_date

from {{ model }}
where window_days not in ({{ configured_windows() | join(', ') }})

{% endtest %}
