-- Driver deep-dive: where do breached Tier 3 cases lose their time, compared with Tier 3
-- cases that met SLA A? Stage medians by outcome and case type, customer wait split out.
-- `dbt compile -s tier3_bottleneck_deep_dive` and run the SQL in target/compiled/.

with

case_sla as (

    select * from {{ ref('case_sla') }}
    where tier = 'TIER_3' and case_status = 'resolved'

),

by_outcome as (

    select
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
    group by case_type, outcome

),

final as (

    select * from by_outcome
    order by case_type, outcome

)

select * from final
