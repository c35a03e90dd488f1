{#- Pair each run of `open_status` events with the next event of one of `close_statuses` (a
    status or a list of statuses) of the same case: one interval per closing event, starting
    at the first opening event since the previous close. Intervals with no closing event yet
    have closed_at = NULL.
    Events at the same instant are taken in the order that continues the case's state
    (DECISIONLOG "Events at the same instant"): if an interval is open just before that
    instant, its closing event comes first (the interval ends, then the next one starts);
    otherwise the opening event comes first (a zero-length interval). An instant that holds
    both kinds leaves the state as it was, so the state before an instant is the kind of
    the last earlier instant that holds only one kind. -#}
{% macro status_intervals(events, open_status, close_statuses) -%}
    {%- set closes = [close_statuses] if close_statuses is string else close_statuses -%}
    {%- set close_list -%}
        ({% for status in closes %}'{{ status }}'{{ ', ' if not loop.last }}{% endfor %})
    {%- endset -%}
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
            min(case when is_close then event_at end) over (
                partition by case_id
                order by event_at, case when open_before then not is_close else is_close end
                rows between current row and unbounded following
            ) as closed_at

        from (
            select
                *,
                coalesce({{ ops_sla.last_value_before_instant('instant_kind', 'case_id', 'event_at') }} = 'open', false)
                    as open_before

            from (
                select
                    case_id,
                    status,
                    event_at,
                    status in {{ close_list }} as is_close,
                    case
                        when bool_and(status in {{ close_list }}) over same_instant then 'close'
                        when bool_and(status = '{{ open_status }}') over same_instant then 'open'
                    end as instant_kind

                from {{ events }}
                where status = '{{ open_status }}' or status in {{ close_list }}
                window same_instant as (partition by case_id, event_at)
            ) as events_with_instant_kind
        ) as events_with_state

    ) as ordered_events

    where status = '{{ open_status }}'
    group by case_id, closed_at
{%- endmacro %}
