-- Rework after a reopen: REOPENED (after the first resolution) -> the next RESOLVED.
-- Rework time is measured from these events; intervals still open are counted, not timed.

-- depends_on: {{ ref('int_case_refresh_scope') }}

with

milestones as (

    select
        case_id,
        first_resolution_at
    from {{ ref('int_case_milestones') }}
    where first_resolution_at is not null
    {%- if is_incremental() %}
        and {{ ops_sla.in_refresh_scope() }}
    {%- endif %}

),

ownership as (

    select * from {{ ref('int_case_ownership') }}
    {{ ops_sla.only_cases_in_refresh_scope() }}

),

events as (

    select events.*
    from {{ ref('int_events_clean') }} as events
    inner join milestones
        on events.case_id = milestones.case_id
    where
        events.event_at > milestones.first_resolution_at
        or (events.event_at = milestones.first_resolution_at and events.status = 'REOPENED')

),

intervals as (

    {{ ops_sla.status_intervals('events', 'REOPENED', 'RESOLVED') }}

),

timed as (

    select
        intervals.case_id,
        intervals.started_at as reopened_at,
        intervals.closed_at as resolved_again_at,
        intervals.opening_events as reopen_events,
        {{ ops_sla.case_business_minutes_between('intervals.started_at', 'intervals.closed_at', 'ownership.segments') }}
            as rework_business_minutes

    from intervals
    inner join ownership
        on intervals.case_id = ownership.case_id

),

final as (

    select
        case_id,
        count(*) as rework_intervals,
        count(*) filter (where resolved_again_at is null) as open_rework_intervals,
        sum(reopen_events) as reopen_events,
        coalesce({{ ops_sla.sum_minutes('rework_business_minutes') }}, 0) as rework_business_minutes,
        {{ ops_sla.run_marker() }} as refreshed_at

    from timed
    group by case_id

)

-- in case order: a daily run reads and deletes the rows of a few (mostly recent) cases, and
-- DuckDB skips the row groups of the others (DECISIONLOG "Case tables are stored in case order")
select * from final
order by case_id
