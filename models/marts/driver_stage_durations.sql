-- Where the SLA A time goes: per tier (and 'ALL') and stage, percentiles of business
-- minutes over ALL resolved cases, with and without the customer wait inside the stage.
-- The bottleneck of a tier is its stage with the highest p95. Each row says its grain
-- (tier, or all: the roll-up over every tier) from grouping(), not from the 'ALL' key.

with

stages as (

    select * from {{ ref('int_case_stage_durations') }}

),

cases as (

    select
        case_id,
        tier
    from {{ ref('int_cases') }}

),

stage_rows as (

    select
        cases.tier,
        stages.stage_order,
        stages.stage,
        stages.business_minutes,
        stages.business_minutes - stages.customer_wait_business_minutes as business_minutes_excluding_wait,
        stages.customer_wait_business_minutes

    from stages
    inner join cases
        on stages.case_id = cases.case_id

),

summarised as (

    select
        coalesce(tier, 'ALL') as tier,
        case when grouping(tier) = 1 then 'all' else 'tier' end as grain,
        stage_order,
        stage,
        count(*) as resolved_cases,
        {{ ops_sla.avg_minutes('business_minutes') }} as mean_business_minutes,
        {{ ops_sla.quantile('business_minutes', 0.5) }} as p50_business_minutes,
        {{ ops_sla.quantile('business_minutes', 0.9) }} as p90_business_minutes,
        {{ ops_sla.quantile('business_minutes', 0.95) }} as p95_business_minutes,
        {{ ops_sla.quantile('business_minutes_excluding_wait', 0.5) }} as p50_business_minutes_excluding_wait,
        {{ ops_sla.quantile('business_minutes_excluding_wait', 0.9) }} as p90_business_minutes_excluding_wait,
        {{ ops_sla.quantile('business_minutes_excluding_wait', 0.95) }} as p95_business_minutes_excluding_wait,
        {{ ops_sla.sum_minutes('business_minutes') }} as total_business_minutes,
        {{ ops_sla.sum_minutes('customer_wait_business_minutes') }} as total_customer_wait_business_minutes

    from stage_rows
    group by stage_order, stage, rollup(tier)

),

ranked as (

    select
        *,
        total_business_minutes / {{ ops_sla.sum_minutes_over('total_business_minutes', 'partition by grain, tier') }}
            as share_of_sla_a_minutes,
        rank() over (partition by grain, tier order by p95_business_minutes desc) as p95_rank,
        rank() over (partition by grain, tier order by p95_business_minutes_excluding_wait desc)
            as p95_excluding_wait_rank

    from summarised

),

final as (

    select
        tier,
        grain,
        grain = 'all' as is_rollup,
        stage_order,
        stage,
        resolved_cases,
        mean_business_minutes,
        p50_business_minutes,
        p90_business_minutes,
        p95_business_minutes,
        p50_business_minutes_excluding_wait,
        p90_business_minutes_excluding_wait,
        p95_business_minutes_excluding_wait,
        total_business_minutes,
        total_customer_wait_business_minutes,
        share_of_sla_a_minutes,
        p95_rank = 1 as is_bottleneck,
        p95_excluding_wait_rank = 1 as is_bottleneck_excluding_wait

    from ranked

)

select * from final
