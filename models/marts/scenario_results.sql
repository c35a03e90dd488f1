-- What-if scenarios, one row per row of seeds/scenarios.csv:
--   stage_reduction   cut the agent-work part (customer wait excluded) of one stage by
--                     reduction_pct for resolved cases of `tier` (all tiers when empty);
--                     SLA A is recomputed in business minutes under both policies.
--   reopen_reduction  avoid reduction_pct of reopens: that share of the rework business
--                     time measured from REOPENED -> RESOLVED events is saved. SLA A
--                     (first resolution) does not change.
--   combination       sums the scenarios listed in `combines` (';'-separated ids); they
--                     act on different time, so their savings add.

with

scenarios as (

    select * from {{ ref('scenarios') }}

),

case_sla as (

    select * from {{ ref('case_sla') }}
    where case_status = 'resolved'

),

stages as (

    select * from {{ ref('int_case_stage_durations') }}

),

stage_cases as (

    select
        scenarios.scenario_id,
        case_sla.case_id,
        case_sla.sla_a_target_minutes,
        case_sla.sla_a_business_minutes_including_wait,
        case_sla.sla_a_business_minutes_paused_wait,
        scenarios.reduction_pct / 100.0 as reduction_share,
        stages.business_minutes - stages.customer_wait_business_minutes as stage_work_minutes,
        scenarios.reduction_pct / 100.0
        * (stages.business_minutes - stages.customer_wait_business_minutes) as minutes_saved

    from scenarios
    inner join case_sla
        on scenarios.tier is null or scenarios.tier = case_sla.tier
    inner join stages
        on
            case_sla.case_id = stages.case_id
            and scenarios.stage = stages.stage
    where scenarios.kind = 'stage_reduction'

),

stage_effects as (

    select
        scenario_id,
        count(*) as eligible_cases,
        count(*) filter (where sla_a_business_minutes_including_wait > sla_a_target_minutes)
            as breaches_before_including_wait,
        count(*) filter (where sla_a_business_minutes_including_wait - minutes_saved > sla_a_target_minutes)
            as breaches_after_including_wait,
        count(*) filter (where sla_a_business_minutes_paused_wait > sla_a_target_minutes)
            as breaches_before_paused_wait,
        count(*) filter (where sla_a_business_minutes_paused_wait - minutes_saved > sla_a_target_minutes)
            as breaches_after_paused_wait,
        any_value(reduction_share) * {{ ops_sla.sum_minutes('stage_work_minutes') }} / 60.0 as business_hours_saved,
        0.0 as rework_hours_saved,
        0.0 as reopens_avoided

    from stage_cases
    group by scenario_id

),

reopen_effects as (

    select
        scenarios.scenario_id,
        count(*) filter (where case_sla.reopen_count > 0) as eligible_cases,
        -- first resolution is unchanged by fewer reopens: breaches stay as they are
        count(*) filter (where case_sla.reopen_count > 0 and case_sla.sla_a_breached_including_wait)
            as breaches_before_including_wait,
        count(*) filter (where case_sla.reopen_count > 0 and case_sla.sla_a_breached_including_wait)
            as breaches_after_including_wait,
        count(*) filter (where case_sla.reopen_count > 0 and case_sla.sla_a_breached_paused_wait)
            as breaches_before_paused_wait,
        count(*) filter (where case_sla.reopen_count > 0 and case_sla.sla_a_breached_paused_wait)
            as breaches_after_paused_wait,
        0.0 as business_hours_saved,
        scenarios.reduction_pct / 100.0 * {{ ops_sla.sum_minutes('case_sla.rework_business_minutes') }} / 60.0
            as rework_hours_saved,
        scenarios.reduction_pct / 100.0 * sum(case_sla.reopen_count) as reopens_avoided

    from scenarios
    cross join case_sla
    where scenarios.kind = 'reopen_reduction'
    group by scenarios.scenario_id, scenarios.reduction_pct

),

single_effects as (

    select
        *,
        breaches_before_including_wait - breaches_after_including_wait as breaches_avoided_including_wait,
        breaches_before_paused_wait - breaches_after_paused_wait as breaches_avoided_paused_wait

    from (
        select * from stage_effects
        union all
        select * from reopen_effects
    ) as effects_of_one_scenario

),

combination_parts as (

    select
        scenarios.scenario_id,
        unnest(string_split(scenarios.combines, ';')) as part_id

    from scenarios
    where scenarios.kind = 'combination'

),

-- a combination's parts act on different cases and time: savings and avoided breaches
-- add up, but "breaches before/after" and eligible cases of overlapping sets do not
combination_effects as (

    select
        combination_parts.scenario_id,
        null::bigint as eligible_cases,
        null::bigint as breaches_before_including_wait,
        null::bigint as breaches_after_including_wait,
        null::bigint as breaches_before_paused_wait,
        null::bigint as breaches_after_paused_wait,
        sum(single_effects.business_hours_saved order by single_effects.scenario_id) as business_hours_saved,
        sum(single_effects.rework_hours_saved order by single_effects.scenario_id) as rework_hours_saved,
        sum(single_effects.reopens_avoided order by single_effects.scenario_id) as reopens_avoided,
        sum(single_effects.breaches_avoided_including_wait)::bigint as breaches_avoided_including_wait,
        sum(single_effects.breaches_avoided_paused_wait)::bigint as breaches_avoided_paused_wait

    from combination_parts
    inner join single_effects
        on trim(combination_parts.part_id) = single_effects.scenario_id
    group by combination_parts.scenario_id

),

effects as (

    select * from single_effects
    union all
    select * from combination_effects

),

final as (

    select
        scenarios.scenario_id,
        scenarios.scenario_name,
        scenarios.kind,
        scenarios.stage,
        scenarios.tier,
        scenarios.reduction_pct,
        scenarios.combines,
        effects.eligible_cases,
        effects.breaches_before_including_wait,
        effects.breaches_after_including_wait,
        effects.breaches_avoided_including_wait,
        effects.breaches_before_paused_wait,
        effects.breaches_after_paused_wait,
        effects.breaches_avoided_paused_wait,
        coalesce(effects.business_hours_saved, 0) as business_hours_saved,
        coalesce(effects.rework_hours_saved, 0) as rework_hours_saved,
        coalesce(effects.business_hours_saved, 0) + coalesce(effects.rework_hours_saved, 0) as total_hours_saved,
        coalesce(effects.reopens_avoided, 0) as reopens_avoided

    from scenarios
    left join effects
        on scenarios.scenario_id = effects.scenario_id

)

select * from final
