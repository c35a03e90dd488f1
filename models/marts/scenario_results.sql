-- What-if scenarios, one row per row of seeds/scenarios.csv:
--   stage_reduction   cut the agent-work part (customer wait excluded) of one stage by
--                     reduction_pct for resolved cases of `tier` (all tiers when empty);
--                     SLA A is recomputed in business minutes under both policies.
--   reopen_reduction  avoid reduction_pct of reopens: that share of the rework business
--                     time measured from REOPENED -> RESOLVED events is saved. SLA A
--                     (first resolution) does not change.
--   combination       applies the scenarios listed in `combines` (';'-separated ids) to
--                     each case together: a case's SLA A is recomputed with every cut that
--                     applies to it, so a breach avoided only by two cuts together counts,
--                     and one avoided by either cut counts once. Cuts of the same stage (or
--                     two reopen reductions) compound: the time kept is the product of the
--                     shares kept.

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

-- the single scenarios each scenario applies: itself, or the parts it combines
applied_ids as (

    select
        scenario_id,
        scenario_id as part_id
    from scenarios
    where kind != 'combination'
    union all
    select
        scenario_id,
        trim(unnest(string_split(combines, ';'))) as part_id
    from scenarios
    where kind = 'combination'

),

applied_parts as (

    select
        applied_ids.scenario_id,
        parts.kind,
        parts.stage,
        parts.tier,
        parts.reduction_pct / 100.0 as reduction_share

    from applied_ids
    inner join scenarios as parts
        on applied_ids.part_id = parts.scenario_id
    where parts.kind != 'combination'

),

-- per scenario, resolved case and stage: the share of the stage's agent work removed
stage_cuts as (

    select
        applied_parts.scenario_id,
        case_sla.case_id,
        applied_parts.stage,
        case
            when count(*) = 1 then any_value(applied_parts.reduction_share)
            else 1 - product(1 - applied_parts.reduction_share)
        end as saved_share

    from applied_parts
    inner join case_sla
        on applied_parts.tier is null or applied_parts.tier = case_sla.tier
    where applied_parts.kind = 'stage_reduction'
    group by applied_parts.scenario_id, case_sla.case_id, applied_parts.stage

),

stage_savings as (

    select
        stage_cuts.scenario_id,
        stage_cuts.case_id,
        stage_cuts.stage,
        stage_cuts.saved_share,
        stages.business_minutes - stages.customer_wait_business_minutes as stage_work_minutes

    from stage_cuts
    inner join stages
        on
            stage_cuts.case_id = stages.case_id
            and stage_cuts.stage = stages.stage

),

case_savings as (

    select
        scenario_id,
        case_id,
        sum(saved_share * stage_work_minutes order by stage) as minutes_saved

    from stage_savings
    group by scenario_id, case_id

),

-- exact and order-independent: whole-microsecond minutes summed per share, then scaled
stage_hours as (

    select
        scenario_id,
        sum(share_minutes_saved order by stage, saved_share) / 60.0 as business_hours_saved

    from (
        select
            scenario_id,
            stage,
            saved_share,
            saved_share * {{ ops_sla.sum_minutes('stage_work_minutes') }} as share_minutes_saved
        from stage_savings
        group by scenario_id, stage, saved_share
    ) as savings_per_share
    group by scenario_id

),

rework_cuts as (

    select
        scenario_id,
        case
            when count(*) = 1 then any_value(reduction_share)
            else 1 - product(1 - reduction_share)
        end as saved_share

    from applied_parts
    where kind = 'reopen_reduction'
    group by scenario_id

),

rework_savings as (

    select
        rework_cuts.scenario_id,
        rework_cuts.saved_share * {{ ops_sla.sum_minutes('case_sla.rework_business_minutes') }} / 60.0
            as rework_hours_saved,
        rework_cuts.saved_share * sum(case_sla.reopen_count) as reopens_avoided

    from rework_cuts
    cross join case_sla
    group by rework_cuts.scenario_id, rework_cuts.saved_share

),

-- the resolved cases a scenario acts on: a stage of theirs is cut, or they were reopened
-- and reopens are reduced (that leaves their first resolution, so SLA A, unchanged)
eligible_cases as (

    select
        scenario_id,
        case_id
    from case_savings
    union
    select
        rework_cuts.scenario_id,
        case_sla.case_id
    from rework_cuts
    cross join case_sla
    where case_sla.reopen_count > 0

),

breach_counts as (

    select
        eligible_cases.scenario_id,
        count(*) as eligible_cases,
        count(*) filter (
            where case_sla.sla_a_business_minutes_including_wait > case_sla.sla_a_target_minutes
        ) as breaches_before_including_wait,
        count(*) filter (
            where case_sla.sla_a_business_minutes_including_wait - coalesce(case_savings.minutes_saved, 0)
            > case_sla.sla_a_target_minutes
        ) as breaches_after_including_wait,
        count(*) filter (
            where case_sla.sla_a_business_minutes_paused_wait > case_sla.sla_a_target_minutes
        ) as breaches_before_paused_wait,
        count(*) filter (
            where case_sla.sla_a_business_minutes_paused_wait - coalesce(case_savings.minutes_saved, 0)
            > case_sla.sla_a_target_minutes
        ) as breaches_after_paused_wait

    from eligible_cases
    inner join case_sla
        on eligible_cases.case_id = case_sla.case_id
    left join case_savings
        on
            eligible_cases.scenario_id = case_savings.scenario_id
            and eligible_cases.case_id = case_savings.case_id
    group by eligible_cases.scenario_id

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
        coalesce(breach_counts.eligible_cases, 0) as eligible_cases,
        coalesce(breach_counts.breaches_before_including_wait, 0) as breaches_before_including_wait,
        coalesce(breach_counts.breaches_after_including_wait, 0) as breaches_after_including_wait,
        coalesce(breach_counts.breaches_before_including_wait - breach_counts.breaches_after_including_wait, 0)
            as breaches_avoided_including_wait,
        coalesce(breach_counts.breaches_before_paused_wait, 0) as breaches_before_paused_wait,
        coalesce(breach_counts.breaches_after_paused_wait, 0) as breaches_after_paused_wait,
        coalesce(breach_counts.breaches_before_paused_wait - breach_counts.breaches_after_paused_wait, 0)
            as breaches_avoided_paused_wait,
        coalesce(stage_hours.business_hours_saved, 0) as business_hours_saved,
        coalesce(rework_savings.rework_hours_saved, 0) as rework_hours_saved,
        coalesce(stage_hours.business_hours_saved, 0) + coalesce(rework_savings.rework_hours_saved, 0)
            as total_hours_saved,
        coalesce(rework_savings.reopens_avoided, 0) as reopens_avoided

    from scenarios
    left join breach_counts
        on scenarios.scenario_id = breach_counts.scenario_id
    left join stage_hours
        on scenarios.scenario_id = stage_hours.scenario_id
    left join rework_savings
        on scenarios.scenario_id = rework_savings.scenario_id

)

select * from final
