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
        {{ ops_sla.sla_outcome_counts() }},
        {{ ops_sla.quantile('sla_a_business_minutes_including_wait', 0.5) }}
            as sla_a_p50_business_minutes_including_wait,
        {{ ops_sla.quantile('sla_a_business_minutes_including_wait', 0.9) }}
            as sla_a_p90_business_minutes_including_wait

    from case_sla
    group by intake_date_local

),

final as (

    select
        intake_date_local,
        cases_opened,
        {{ ops_sla.sla_outcome_rates() }},
        open_cases / cases_opened as open_share,
        open_cases = 0 as is_cohort_final,
        sla_a_p50_business_minutes_including_wait,
        sla_a_p90_business_minutes_including_wait

    from daily

)

select * from final
