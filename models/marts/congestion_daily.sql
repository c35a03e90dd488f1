-- Daily load on the team (team-local dates, from the first intake to the as-of date):
-- intake, resolutions, the open backlog at the end of the day, effective agents from the
-- staffing schedule, and the congestion index (open backlog per effective agent).

with

cases as (

    select * from {{ ref('case_sla') }}

),

staffing as (

    select * from {{ ref('stg_ops_export__staffing') }}

),

calendar as (

    select * from {{ ref('int_business_calendar') }}

),

as_of as (

    select * from {{ ref('data_as_of') }}

),

bounds as (

    select
        min(cases.intake_date_local) as first_date,
        max(as_of.as_of_date_local) as last_date

    from cases
    cross join as_of

),

days as (

    select
        calendar.calendar_date,
        calendar.is_business_day

    from calendar
    inner join bounds
        on calendar.calendar_date between bounds.first_date and bounds.last_date

),

intake as (

    select
        intake_date_local as calendar_date,
        count(*) as cases_opened,
        median(sla_b_business_minutes) as median_sla_b_business_minutes_of_intake

    from cases
    group by intake_date_local

),

closed as (

    select
        cast(coalesce(first_resolution_ts_local, cancelled_ts_local) as date) as calendar_date,
        count(*) filter (where case_status = 'resolved') as cases_resolved,
        count(*) filter (where case_status = 'cancelled') as cases_cancelled

    from cases
    where case_status in ('resolved', 'cancelled')
    group by cast(coalesce(first_resolution_ts_local, cancelled_ts_local) as date)

),

agents as (

    select
        schedule_date as calendar_date,
        cast(sum(planned_agents) as bigint) as planned_agents,
        {{ ops_sla.ordered_sum('effective_agents', ['shift']) }} as effective_agents

    from staffing
    group by schedule_date

),

daily as (

    select
        days.calendar_date,
        days.is_business_day,
        coalesce(intake.cases_opened, 0) as cases_opened,
        coalesce(closed.cases_resolved, 0) as cases_resolved,
        coalesce(closed.cases_cancelled, 0) as cases_cancelled,
        agents.planned_agents,
        agents.effective_agents,
        intake.median_sla_b_business_minutes_of_intake

    from days
    left join intake
        on days.calendar_date = intake.calendar_date
    left join closed
        on days.calendar_date = closed.calendar_date
    left join agents
        on days.calendar_date = agents.calendar_date

),

backlog as (

    select
        *,
        sum(cases_opened - cases_resolved - cases_cancelled) over (
            order by calendar_date rows between unbounded preceding and current row
        ) as open_backlog_end_of_day

    from daily

),

final as (

    select
        calendar_date,
        is_business_day,
        cases_opened,
        cases_resolved,
        cases_cancelled,
        cast(open_backlog_end_of_day as bigint) as open_backlog_end_of_day,
        planned_agents,
        effective_agents,
        case when effective_agents > 0 then cases_opened / effective_agents end as intake_per_effective_agent,
        case when effective_agents > 0 then open_backlog_end_of_day / effective_agents end as congestion_index,
        median_sla_b_business_minutes_of_intake

    from backlog

)

select * from final
