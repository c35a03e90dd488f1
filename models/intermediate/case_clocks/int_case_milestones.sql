-- Milestones of each case from its clean events at/after intake: first touch, the stage
-- starts before the first resolution, first resolution, cancellation, reopen count; and
-- how many clean events are stamped before intake (ignored by the clocks, but counted: an
-- intake after its own resolution leaves the case open, visibly flagged).
-- First touch is the earliest agent action: the TRIAGE event in a normal case; when the
-- data shows an agent acting earlier (TRIAGE missing, or stamped later), that action.
-- Incremental: re-derives the cases of int_case_refresh_scope.

-- depends_on: {{ ref('int_case_refresh_scope') }}

with

cases as (

    select * from {{ ref('int_cases') }}
    {{ ops_sla.only_cases_in_refresh_scope() }}

),

case_events as (

    select * from {{ ref('int_events_clean') }}
    {{ ops_sla.only_cases_in_refresh_scope() }}

),

events as (

    select * from case_events
    where not is_before_intake

),

early_events as (

    select * from case_events
    where is_before_intake

),

statuses as (

    select * from {{ ref('event_statuses') }}

),

firsts as (

    select
        events.case_id,
        min(events.event_at) filter (where events.status = 'TRIAGE') as first_triage_at,
        min(events.event_at) filter (where statuses.is_agent_touch) as first_agent_touch_at,
        min(events.event_at) filter (where events.status = 'RESOLVED') as first_resolution_at,
        min(events.event_at) filter (where events.status = 'CANCELLED') as first_cancelled_at,
        max(events.event_at) as last_event_at,
        count(*) as clean_event_count

    from events
    inner join statuses
        on events.status = statuses.status
    group by events.case_id

),

before_resolution as (

    select
        events.case_id,
        min(events.event_at) filter (where events.status = 'ASSIGNMENT') as first_assignment_at,
        min(events.event_at) filter (where events.status = 'INVESTIGATION') as first_investigation_at,
        min(events.event_at) filter (where events.status = 'REVIEW_QA') as first_review_qa_at

    from events
    inner join firsts
        on events.case_id = firsts.case_id
    where firsts.first_resolution_at is null or events.event_at <= firsts.first_resolution_at
    group by events.case_id

),

after_resolution as (

    select
        events.case_id,
        count(*) filter (where events.status = 'REOPENED') as reopen_count

    from events
    inner join firsts
        on events.case_id = firsts.case_id
    where events.event_at >= firsts.first_resolution_at
    group by events.case_id

),

before_intake as (

    select
        case_id,
        count(*) as events_before_intake

    from early_events
    group by case_id

),

final as (

    select
        cases.case_id,
        cases.intake_at,
        firsts.first_agent_touch_at as first_touch_at,
        case
            when firsts.first_triage_at = firsts.first_agent_touch_at then 'triage'
            when firsts.first_agent_touch_at is not null then 'other_agent_event'
        end as first_touch_source,
        before_resolution.first_assignment_at,
        before_resolution.first_investigation_at,
        before_resolution.first_review_qa_at,
        firsts.first_resolution_at,
        firsts.first_cancelled_at,
        case
            when firsts.first_resolution_at is not null then 'resolved'
            when firsts.first_cancelled_at is not null then 'cancelled'
            else 'open'
        end as case_status,
        coalesce(after_resolution.reopen_count, 0) as reopen_count,
        firsts.last_event_at,
        coalesce(firsts.clean_event_count, 0) as clean_event_count,
        coalesce(before_intake.events_before_intake, 0) as events_before_intake,
        {{ ops_sla.run_marker() }} as refreshed_at

    from cases
    left join firsts
        on cases.case_id = firsts.case_id
    left join before_resolution
        on cases.case_id = before_resolution.case_id
    left join after_resolution
        on cases.case_id = after_resolution.case_id
    left join before_intake
        on cases.case_id = before_intake.case_id

)

-- in case order: a daily run reads and deletes the rows of a few (mostly recent) cases, and
-- DuckDB skips the row groups of the others (DECISIONLOG "Case tables are stored in case order")
select * from final
order by case_id
