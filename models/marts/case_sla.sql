-- One row per case in raw `cases`: every SLA measure and flag, timestamps as naive local
-- time of the team (var business_time_zone) for Tableau.
-- Incremental: re-derives the cases of int_case_refresh_scope and every open case.

-- depends_on: {{ ref('int_case_refresh_scope') }}
{{ config(
    materialized=ops_sla.incremental_or_table(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ ops_sla.delete_refresh_scope() }}",
    meta={'rescores_open_cases': true}
) }}

with

cases as (

    select * from {{ ref('int_cases') }}
    {{ ops_sla.only_cases_in_refresh_scope() }}

),

sla as (

    select * from {{ ref('int_case_sla') }}
    {{ ops_sla.only_cases_in_refresh_scope() }}

),

stages as (

    select * from {{ ref('int_case_stage_durations') }}
    {{ ops_sla.only_cases_in_refresh_scope() }}

),

milestones as (

    select * from {{ ref('int_case_milestones') }}
    {{ ops_sla.only_cases_in_refresh_scope() }}

),

rework as (

    select * from {{ ref('int_case_rework') }}
    {{ ops_sla.only_cases_in_refresh_scope() }}

),

ownership as (

    select * from {{ ref('int_case_ownership') }}
    {{ ops_sla.only_cases_in_refresh_scope() }}

),

stage_minutes as (

    select
        case_id,
        sum(business_minutes) filter (where stage = 'intake_to_triage') as intake_to_triage_business_minutes,
        sum(business_minutes) filter (where stage = 'triage_to_assignment')
            as triage_to_assignment_business_minutes,
        sum(business_minutes) filter (where stage = 'assignment_to_investigation')
            as assignment_to_investigation_business_minutes,
        sum(business_minutes) filter (where stage = 'investigation_to_review_qa')
            as investigation_to_review_qa_business_minutes,
        sum(customer_wait_business_minutes) filter (where stage = 'investigation_to_review_qa')
            as investigation_to_review_qa_customer_wait_business_minutes,
        sum(business_minutes) filter (where stage = 'review_qa_to_resolution')
            as review_qa_to_resolution_business_minutes

    from stages
    group by case_id

),

final as (

    select
        cases.case_id,
        cases.tier,
        cases.case_type,
        sla.case_status,
        cases.intake_date_local,
        cases.intake_local as intake_ts_local,
        {{ ops_sla.instant_to_local('sla.first_touch_at') }} as first_touch_ts_local,
        sla.first_touch_source,
        {{ ops_sla.instant_to_local('sla.first_resolution_at') }} as first_resolution_ts_local,
        {{ ops_sla.instant_to_local('sla.first_cancelled_at') }} as cancelled_ts_local,
        sla.sla_b_target_minutes,
        sla.sla_a_target_minutes,
        sla.sla_b_business_minutes,
        sla.sla_a_business_minutes_including_wait,
        sla.sla_a_business_minutes_paused_wait,
        sla.customer_wait_business_minutes,
        sla.customer_wait_intervals,
        sla.open_elapsed_business_minutes_including_wait,
        sla.open_elapsed_business_minutes_paused_wait,
        sla.sla_b_breached,
        sla.sla_a_breached_including_wait,
        sla.sla_a_breached_paused_wait,
        -- one label per customer-wait policy: the booleans are NULL for open cases within
        -- target and for cancelled ones (DECISIONLOG "One SLA A outcome column")
        case
            when sla.case_status = 'cancelled' then 'cancelled'
            when sla.case_status = 'resolved' and sla.sla_a_breached_including_wait then 'breached'
            when sla.case_status = 'resolved' then 'met'
            when sla.sla_a_breached_including_wait then 'open_past_target'
            else 'open_within_target'
        end as sla_a_outcome_including_wait,
        case
            when sla.case_status = 'cancelled' then 'cancelled'
            when sla.case_status = 'resolved' and sla.sla_a_breached_paused_wait then 'breached'
            when sla.case_status = 'resolved' then 'met'
            when sla.sla_a_breached_paused_wait then 'open_past_target'
            else 'open_within_target'
        end as sla_a_outcome_paused_wait,
        {{ ops_sla.instant_to_local('sla.sla_b_breach_at') }} as sla_b_breach_ts_local,
        {{ ops_sla.instant_to_local('sla.sla_a_breach_at') }} as sla_a_breach_ts_local,
        stage_minutes.intake_to_triage_business_minutes,
        stage_minutes.triage_to_assignment_business_minutes,
        stage_minutes.assignment_to_investigation_business_minutes,
        stage_minutes.investigation_to_review_qa_business_minutes,
        stage_minutes.investigation_to_review_qa_customer_wait_business_minutes,
        stage_minutes.review_qa_to_resolution_business_minutes,
        sla.reopen_count,
        coalesce(rework.rework_business_minutes, 0) as rework_business_minutes,
        coalesce(rework.open_rework_intervals, 0) as open_rework_intervals,
        sla.clean_event_count,
        milestones.events_before_intake,
        cases.delivered_copies,
        cases.has_conflicting_copies,
        -- teams and schedules (DECISIONLOG "Several business schedules")
        ownership.intake_team_id,
        ownership.intake_schedule_id,
        ownership.final_team_id,
        ownership.handoff_count,
        -- the milestones again, in UTC and on the intake team's wall clock (the *_ts_local
        -- columns above are in var business_time_zone, the export's zone)
        {%- for column, instant in [
            ('intake', 'sla.intake_at'), ('first_touch', 'sla.first_touch_at'),
            ('first_resolution', 'sla.first_resolution_at'), ('cancelled', 'sla.first_cancelled_at'),
            ('sla_b_breach', 'sla.sla_b_breach_at'), ('sla_a_breach', 'sla.sla_a_breach_at')] %}
            {{ ops_sla.instant_to_local(instant, "'UTC'") }} as {{ column }}_ts_utc,
            {{ ops_sla.instant_to_local(instant, 'ownership.intake_time_zone') }} as {{ column }}_ts_intake_team_local,
        {%- endfor %}
        {{ ops_sla.instant_to_local(ops_sla.run_marker(), "'UTC'") }} as refreshed_at_utc

    from cases
    inner join sla
        on cases.case_id = sla.case_id
    inner join milestones
        on cases.case_id = milestones.case_id
    left join stage_minutes
        on cases.case_id = stage_minutes.case_id
    left join rework
        on cases.case_id = rework.case_id
    inner join ownership
        on cases.case_id = ownership.case_id

)

-- in case order: a daily run reads and deletes the rows of a few (mostly recent) cases, and
-- DuckDB skips the row groups of the others (DECISIONLOG "Case tables are stored in case order")
select * from final
order by case_id
