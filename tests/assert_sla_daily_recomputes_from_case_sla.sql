-- sla_daily recomputed directly from case_sla (counts and rates, per day) agrees.

with

daily as (

    select * from {{ ref('sla_daily') }}

),

recomputed as (

    select
        intake_date_local,
        count(*) as cases_opened,
        sum(case when case_status = 'resolved' then 1 else 0 end) as resolved_cases,
        sum(case when case_status = 'resolved' and sla_a_breached_including_wait then 1 else 0 end)
            as breached_including,
        sum(case when case_status = 'resolved' and sla_a_breached_paused_wait then 1 else 0 end)
            as breached_paused,
        sum(case when sla_b_breached then 1 else 0 end) as sla_b_breached,
        sum(case when sla_b_breached is not null then 1 else 0 end) as sla_b_scored

    from {{ ref('case_sla') }}
    group by intake_date_local

)

select
    coalesce(daily.intake_date_local, recomputed.intake_date_local) as intake_date_local,
    daily.cases_opened,
    recomputed.cases_opened as recomputed_cases_opened

from daily
full outer join recomputed
    on daily.intake_date_local = recomputed.intake_date_local
where
    daily.intake_date_local is null
    or recomputed.intake_date_local is null
    or daily.cases_opened <> recomputed.cases_opened
    or daily.resolved_cases <> recomputed.resolved_cases
    or daily.sla_a_breached_cases_including_wait <> recomputed.breached_including
    or daily.sla_a_breached_cases_paused_wait <> recomputed.breached_paused
    or daily.sla_b_breached_cases <> recomputed.sla_b_breached
    or abs(
        coalesce(daily.sla_a_breach_rate_including_wait, 0)
        - coalesce(recomputed.breached_including / nullif(recomputed.resolved_cases, 0), 0)
    ) > 1e-12
    or abs(
        coalesce(daily.sla_b_breach_rate, 0)
        - coalesce(recomputed.sla_b_breached / nullif(recomputed.sla_b_scored, 0), 0)
    ) > 1e-12
