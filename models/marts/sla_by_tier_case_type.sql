-- SLA outcomes per tier x case type, with roll-ups (tier or case type 'ALL'), because
-- percentiles can't be re-aggregated in Tableau. Rates: SLA A over resolved cases, SLA B
-- over cases with a known first-touch outcome.

with

case_sla as (

    select * from {{ ref('case_sla') }}

),

grouped as (

    select
        coalesce(tier, 'ALL') as tier,
        coalesce(case_type, 'ALL') as case_type,
        count(*) as cases,
        count(*) filter (where case_status = 'resolved') as resolved_cases,
        count(*) filter (where case_status = 'open') as open_cases,
        count(*) filter (where case_status = 'cancelled') as cancelled_cases,
        count(sla_b_breached) as sla_b_scored_cases,
        count(*) filter (where sla_b_breached) as sla_b_breached_cases,
        count(*) filter (where case_status = 'resolved' and sla_a_breached_including_wait)
            as sla_a_breached_cases_including_wait,
        count(*) filter (where case_status = 'resolved' and sla_a_breached_paused_wait)
            as sla_a_breached_cases_paused_wait,
        quantile_cont(sla_a_business_minutes_including_wait, 0.5) as sla_a_p50_business_minutes_including_wait,
        quantile_cont(sla_a_business_minutes_including_wait, 0.9) as sla_a_p90_business_minutes_including_wait,
        quantile_cont(sla_a_business_minutes_including_wait, 0.95) as sla_a_p95_business_minutes_including_wait,
        quantile_cont(sla_a_business_minutes_paused_wait, 0.5) as sla_a_p50_business_minutes_paused_wait,
        quantile_cont(sla_a_business_minutes_paused_wait, 0.9) as sla_a_p90_business_minutes_paused_wait,
        quantile_cont(sla_a_business_minutes_paused_wait, 0.95) as sla_a_p95_business_minutes_paused_wait,
        quantile_cont(sla_b_business_minutes, 0.95) as sla_b_p95_business_minutes

    from case_sla
    group by cube(tier, case_type)

),

final as (

    select
        tier,
        case_type,
        cases,
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
        sla_a_p50_business_minutes_including_wait,
        sla_a_p90_business_minutes_including_wait,
        sla_a_p95_business_minutes_including_wait,
        sla_a_p50_business_minutes_paused_wait,
        sla_a_p90_business_minutes_paused_wait,
        sla_a_p95_business_minutes_paused_wait,
        sla_b_p95_business_minutes

    from grouped

)

select * from final
