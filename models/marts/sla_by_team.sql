-- SLA outcomes per team that owned the case at intake x tier, with roll-ups (team or tier
-- 'ALL'): the by-team view of a support organisation with several schedules (each case's
-- business time accrues under the schedule of the team owning it at each instant; DECISIONLOG
-- "Several business schedules"). Rates as in sla_by_tier_case_type. Each row says its grain
-- (team_tier, team, tier or all) and whether it is a roll-up.

with

case_sla as (

    select * from {{ ref('case_sla') }}

),

teams as (

    select
        team_id,
        min(team_name) as team_name
    from {{ ref('team_schedules') }}
    group by team_id

),

grouped as (

    select
        coalesce(intake_team_id, 'ALL') as intake_team_id,
        coalesce(tier, 'ALL') as tier,
        grouping(intake_team_id) = 1 as is_team_rolled_up,
        grouping(tier) = 1 as is_tier_rolled_up,
        count(*) as cases,
        {{ ops_sla.sla_outcome_counts() }},
        count(*) filter (where handoff_count > 0) as handed_off_cases,
        cast(sum(handoff_count) as bigint) as handoffs,
        count(*) filter (where final_team_id <> intake_team_id) as cases_ending_with_another_team,
        {{ ops_sla.quantile('sla_a_business_minutes_including_wait', 0.5) }}
            as sla_a_p50_business_minutes_including_wait,
        {{ ops_sla.quantile('sla_a_business_minutes_including_wait', 0.95) }}
            as sla_a_p95_business_minutes_including_wait,
        {{ ops_sla.quantile('sla_b_business_minutes', 0.95) }} as sla_b_p95_business_minutes

    from case_sla
    group by cube(intake_team_id, tier)

),

final as (

    select
        grouped.intake_team_id,
        case
            when grouped.is_team_rolled_up then 'All teams'
            when grouped.intake_team_id = 'default' then 'Default (no team in the export)'
            else coalesce(teams.team_name, grouped.intake_team_id)
        end as team_name,
        grouped.tier,
        case
            when grouped.is_team_rolled_up and grouped.is_tier_rolled_up then 'all'
            when grouped.is_tier_rolled_up then 'team'
            when grouped.is_team_rolled_up then 'tier'
            else 'team_tier'
        end as grain,
        grouped.is_team_rolled_up or grouped.is_tier_rolled_up as is_rollup,
        grouped.cases,
        {{ ops_sla.sla_outcome_rates() }},
        grouped.handed_off_cases,
        grouped.handoffs,
        grouped.cases_ending_with_another_team,
        grouped.sla_a_p50_business_minutes_including_wait,
        grouped.sla_a_p95_business_minutes_including_wait,
        grouped.sla_b_p95_business_minutes

    from grouped
    left join teams
        on grouped.intake_team_id = teams.team_id

)

select * from final
