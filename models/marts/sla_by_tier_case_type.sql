-- SLA outcomes per tier x case type, with roll-ups (tier or case type 'ALL'), because
-- percentiles can't be re-aggregated in Tableau. Rates: SLA A over resolved cases, SLA B
-- over cases with a known first-touch outcome. Each row says its grain (tier_case_type,
-- tier, case_type or all) and whether it is a roll-up, from grouping(), not from the 'ALL'
-- key: summing the rows of one grain counts every case once.

with

case_sla as (

    select * from {{ ref('case_sla') }}

),

grouped as (

    select
        coalesce(tier, 'ALL') as tier,
        coalesce(case_type, 'ALL') as case_type,
        grouping(tier) = 1 as is_tier_rolled_up,
        grouping(case_type) = 1 as is_case_type_rolled_up,
        count(*) as cases,
        {{ ops_sla.sla_outcome_counts() }},
        {{ ops_sla.quantile('sla_a_business_minutes_including_wait', 0.5) }}
            as sla_a_p50_business_minutes_including_wait,
        {{ ops_sla.quantile('sla_a_business_minutes_including_wait', 0.9) }}
            as sla_a_p90_business_minutes_including_wait,
        {{ ops_sla.quantile('sla_a_business_minutes_including_wait', 0.95) }}
            as sla_a_p95_business_minutes_including_wait,
        {{ ops_sla.quantile('sla_a_business_minutes_paused_wait', 0.5) }} as sla_a_p50_business_minutes_paused_wait,
        {{ ops_sla.quantile('sla_a_business_minutes_paused_wait', 0.9) }} as sla_a_p90_business_minutes_paused_wait,
        {{ ops_sla.quantile('sla_a_business_minutes_paused_wait', 0.95) }} as sla_a_p95_business_minutes_paused_wait,
        {{ ops_sla.quantile('sla_b_business_minutes', 0.95) }} as sla_b_p95_business_minutes

    from case_sla
    group by cube(tier, case_type)

),

final as (

    select
        tier,
        case_type,
        case
            when is_tier_rolled_up and is_case_type_rolled_up then 'all'
            when is_case_type_rolled_up then 'tier'
            when is_tier_rolled_up then 'case_type'
            else 'tier_case_type'
        end as grain,
        is_tier_rolled_up or is_case_type_rolled_up as is_rollup,
        cases,
        {{ ops_sla.sla_outcome_rates() }},
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
