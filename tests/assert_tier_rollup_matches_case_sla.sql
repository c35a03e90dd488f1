-- The ALL x ALL row of sla_by_tier_case_type equals the totals of case_sla, and the
-- stage shares of each tier in driver_stage_durations add up to 1.

with

rollup_row as (

    select * from {{ ref('sla_by_tier_case_type') }}
    where tier = 'ALL' and case_type = 'ALL'

),

totals as (

    select
        count(*) as cases,
        count(*) filter (where case_status = 'resolved') as resolved_cases,
        count(*) filter (where case_status = 'resolved' and sla_a_breached_including_wait) as breached_including

    from {{ ref('case_sla') }}

),

shares as (

    select
        tier,
        sum(share_of_sla_a_minutes) as total_share
    from {{ ref('driver_stage_durations') }}
    group by tier

)

select
    'rollup' as check_name,
    null as tier
from rollup_row
cross join totals
where
    rollup_row.cases <> totals.cases
    or rollup_row.resolved_cases <> totals.resolved_cases
    or rollup_row.sla_a_breached_cases_including_wait <> totals.breached_including

union all

select
    'stage shares' as check_name,
    tier
from shares
where abs(total_share - 1) > 1e-9
