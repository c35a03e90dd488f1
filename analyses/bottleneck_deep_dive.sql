-- Driver deep-dive: where do the breached cases of one tier lose their time, compared with
-- the cases of that tier that met SLA A? Stage medians by outcome and case type, customer
-- wait split out. The tier: var deep_dive_tier, by default the last tier of seed tiers by
-- display_order (the most complex one: TIER_3 in the demo), so a team's own tiers work.
-- `dbt compile -s bottleneck_deep_dive` (or with `--vars '{deep_dive_tier: TIER_2}'`) and
-- run the SQL in target/compiled/.

{%- set deep_dive_tier = ops_sla.sql_literal(var('deep_dive_tier', '') | string | trim | upper) %}

with

tiers as (

    select * from {{ ref('tiers') }}

),

-- the tier the var names, or else the last one (a var naming no tier of the seed: no rows)
deep_dive_tier as (

    select tier from tiers
    where {{ deep_dive_tier }} in ('', tier)
    order by display_order desc
    limit 1

),

case_sla as (

    select case_sla.*
    from {{ ref('case_sla') }} as case_sla
    inner join deep_dive_tier
        on case_sla.tier = deep_dive_tier.tier
    where case_sla.case_status = 'resolved'

),

by_outcome as (

    select
        tier,
        case_type,
        case when sla_a_breached_including_wait then 'breached' else 'met' end as outcome,
        count(*) as cases,
        median(intake_to_triage_business_minutes) as median_intake_to_triage,
        median(assignment_to_investigation_business_minutes) as median_assignment_to_investigation,
        median(investigation_to_review_qa_business_minutes - investigation_to_review_qa_customer_wait_business_minutes)
            as median_investigation_work,
        median(investigation_to_review_qa_customer_wait_business_minutes) as median_customer_wait_in_investigation,
        median(review_qa_to_resolution_business_minutes) as median_review_qa_to_resolution

    from case_sla
    group by tier, case_type, outcome

),

final as (

    select * from by_outcome
    order by case_type, outcome

)

select * from final
