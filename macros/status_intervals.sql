{#- Pair each run of `open_status` events with the next `close_status` event of the same
    case: one interval per closing event, starting at the first opening event since the
    previous close. Intervals with no closing event yet have closed_at = NULL.
    At equal timestamps the opening event sorts first. -#}
{% macro status_intervals(events, open_status, close_status) -%}
    select
        case_id,
        min(event_at) as started_at,
        closed_at,
        count(*) as opening_events

    from (
        select
            case_id,
            status,
            event_at,
            min(case when status = '{{ close_status }}' then event_at end) over (
                partition by case_id
                order by event_at, status = '{{ close_status }}'
                rows between current row and unbounded following
            ) as closed_at

        from {{ events }}
        where status in ('{{ open_status }}', '{{ close_status }}')
    ) as ordered_events

    where status = '{{ open_status }}'
    group by case_id, closed_at
{%- endmacro %}
