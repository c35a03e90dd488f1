-- Customer-wait intervals: CUSTOMER_WAIT -> the next CUSTOMER_RESPONDED, or the next event
-- that shows the team took the case on without a logged response (INVESTIGATION, REVIEW_QA,
-- RESOLVED) or that ended it (CANCELLED): the clock is paused for the wait only, never for
-- work (DECISIONLOG "Customer wait"). A wait with no such event yet is open (closed_at
-- NULL); the SLA engine clips it to the measured window.

-- depends_on: {{ ref('int_case_refresh_scope') }}

{%- set wait_ends = ['CUSTOMER_RESPONDED', 'INVESTIGATION', 'REVIEW_QA', 'RESOLVED', 'CANCELLED'] %}

with

events as (

    select * from {{ ref('int_events_clean') }}
    where not is_before_intake
    {%- if is_incremental() %}
        and {{ ops_sla.in_refresh_scope() }}
    {%- endif %}

),

intervals as (

    {{ ops_sla.status_intervals('events', 'CUSTOMER_WAIT', wait_ends) }}

),

responses as (

    select distinct
        case_id,
        event_at

    from events
    where status = 'CUSTOMER_RESPONDED'

),

final as (

    select
        intervals.case_id,
        intervals.started_at,
        intervals.closed_at,
        intervals.opening_events,
        intervals.closed_at is null as is_open,
        responses.case_id is not null as is_answered,
        {{ ops_sla.run_marker() }} as refreshed_at

    from intervals
    left join responses
        on
            intervals.case_id = responses.case_id
            and intervals.closed_at = responses.event_at

)

-- in case order: a daily run reads and deletes the rows of a few (mostly recent) cases, and
-- DuckDB skips the row groups of the others (DECISIONLOG "Case tables are stored in case order")
select * from final
order by case_id
