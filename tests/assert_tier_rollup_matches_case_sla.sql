-- The ALL x ALL row of sla_by_tier_case_type equals the totals of case_sla, the rows of each
-- grain of sla_by_tier_case_type count every case once (and only the tier x case type rows
-- are not roll-ups), and the stage shares of each tier in driver_stage_durations add up to 1.

with

by_tier_case_type as (

    select * from {{ ref('sla_by_tier_case_type') }}

),

rollup_row as (

    select * from by_tier_case_type
    where grain = 'all'

),

totals as (

    select
        count(*) as cases,
        count(*) filter (where case_status = 'resolved') as resolved_cases,
        count(*) filter (where case_status = 'resolved' and sla_a_breached_including_wait) as breached_including

    from {{ ref('case_sla') }}

),

grains as (

    select
        grain,
        sum(cases) as cases,
        bool_and(is_rollup = (grain <> 'tier_case_type')) as is_rollup_consistent,
        -- a roll-up keeps its 'ALL' key (sheets that filter on it still work)
        bool_and(tier = 'ALL' or grain not in ('case_type', 'all')) as tier_key_consistent,
        bool_and(case_type = 'ALL' or grain not in ('tier', 'all')) as case_type_key_consistent
    from by_tier_case_type
    group by grain

),

shares as (

    select
        grain,
        tier,
        sum(share_of_sla_a_minutes) as total_share,
        bool_and(is_rollup = (grain = 'all')) as is_rollup_consistent
    from {{ ref('driver_stage_durations') }}
    group by grain, tier

)

select
    'rollup' as check_name,
    null as grain,
    null as tier
from rollup_row
cross join totals
where
    rollup_row.cases <> totals.cases
    or rollup_row.resolved_cases <> totals.resolved_cases
    or rollup_row.sla_a_breached_cases_including_wait <> totals.breached_including

union all

select
    'grain does not count every case once, or its keys or is_rollup disagree with it' as check_name,
    grains.grain,
    null as tier
from grains
cross join totals
where
    grains.cases <> totals.cases
    or not grains.is_rollup_consistent
    or not grains.tier_key_consistent
    or not grains.case_type_key_consistent

union all

select
    'stage shares, or is_rollup disagrees with the grain' as check_name,
    grain,
    tier
from shares
where abs(total_share - 1) > 1e-9 or not is_rollup_consistent
