-- Daily SLA trend by intake date (team-local): the cases opened that day and how their
-- SLAs turned out. Rates say their denominator: SLA A over resolved cases, SLA B over
-- cases whose first-touch outcome is known.

with

case_sla as (

    select * from {{ ref('case_sla') }}

),

daily as (

    select
        intake_date_local,
        count(*) as cases_opened,
        count(*) filter (where case_status = 'resolved') as resolved_cases,
        count(*) filter (where case_status = 'open') as open_cases,
        count(*) filter (where case_status = 'cancelled') as cancelled_cases,
        count(sla_b_breached) as sla_b_scored_cases,
        count(*) filter (where sla_b_breached) as sla_b_breached_cases,
        count(*) filter (where case_status = 'resolved' and sla_a_breached_including_wait)
            as sla_a_breached_cases_including_wait,
        count(*) filter (where case_status = 'resolved' and sla_a_breached_paused_wait)
            as sla_a_breached_cases_paused_wait,
        count(*) filter (where case_status = 'open' and sla_a_breached_including_wait)
            as open_cases_past_sla_a_target,
        quantile_cont(sla_a_business_minutes_including_wait, 0.5) as sla_a_p50_business_minutes_including_wait,
        quantile_cont(sla_a_business_minutes_including_wait, 0.9) as sla_a_p90_business_minutes_including_wait

    from case_sla
    group by intake_date_local

),

final as (

    select
        intake_date_local,
        cases_opened,
        resolved_cases,
        open_cases,
        cancelled_cases,
        sla_b_scored_cases,
        sla_b_breached_cases,
        sla_b_breached_cases / nullif(sla_b_scored_cases, 0) as sla_b_breach_rate,
        sla_a_breached_cases_including_wait,
        sla_a_breached_cases_including_wait / nullif(resolved_cases, 0) as sla_a_breach_rate_including_wait,
        sla_a_breached_cases_paused_wait,
        sla_a_breached_cases_paused_wait / nullif(resolved_cases, 0) as sla_a_breach_rate_paused_wait,
        open_cases_past_sla_a_target,
        (sla_a_breached_cases_including_wait + open_cases_past_sla_a_target)
        / nullif(resolved_cases + open_cases_past_sla_a_target, 0) as sla_a_known_breach_rate_including_wait,
        open_cases / cases_opened as open_share,
        open_cases = 0 as is_cohort_final,
        sla_a_p50_business_minutes_including_wait,
        sla_a_p90_business_minutes_including_wait

    from daily

)

select * from final
