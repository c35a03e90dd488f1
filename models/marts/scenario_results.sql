-- What-if scenarios, one row per row of seeds/scenarios.csv:
--   stage_reduction   cut the agent-work part (customer wait excluded) of one stage by
--                     reduction_pct for resolved cases of `tier` (all tiers when empty);
--                     SLA A is recomputed in business minutes under both policies.
--   reopen_reduction  avoid reduction_pct of reopens (of `tier`'s cases, all when empty):
--                     that share of the rework business time measured from REOPENED ->
--                     RESOLVED events is saved. SLA A (first resolution) does not change.
--   combination       applies the scenarios listed in `combines` to each case together: a
--                     case's SLA A is recomputed once with every cut that applies to it, so
--                     a breach avoided only by two cuts together counts, and one avoided by
--                     either cut counts once.
-- What each scenario cuts, case by case: int_scenario_cuts.

with

scenarios as (

    select * from {{ ref('scenarios') }}

),

cuts as (

    select * from {{ ref('int_scenario_cuts') }}

),

case_sla as (

    select * from {{ ref('case_sla') }}
    where case_status = 'resolved'

),

-- the resolved cases a scenario acts on, with the SLA A minutes its stage cuts remove
case_savings as (

    select
        scenario_id,
        case_id,
        coalesce({{ ops_sla.ordered_sum('saved_share * cut_business_minutes', ['cut'], where="cut != 'rework'") }}, 0)
            as minutes_saved

    from cuts
    group by scenario_id, case_id

),

-- exact and order-independent: whole-microsecond minutes summed per cut and share, then scaled
savings_per_share as (

    select
        scenario_id,
        cut,
        saved_share,
        saved_share * {{ ops_sla.sum_minutes('cut_business_minutes') }} as minutes_saved,
        saved_share * sum(reopen_count) as reopens_avoided

    from cuts
    group by scenario_id, cut, saved_share

),

hours_saved as (

    select
        scenario_id,
        coalesce({{ ops_sla.ordered_sum('minutes_saved', ['cut', 'saved_share'], where="cut != 'rework'") }}, 0) / 60.0
            as business_hours_saved,
        coalesce({{ ops_sla.ordered_sum('minutes_saved', ['saved_share'], where="cut = 'rework'") }}, 0) / 60.0
            as rework_hours_saved,
        coalesce({{ ops_sla.ordered_sum('reopens_avoided', ['saved_share'], where="cut = 'rework'") }}, 0)
            as reopens_avoided

    from savings_per_share
    group by scenario_id

),

breach_counts as (

    select
        case_savings.scenario_id,
        count(*) as eligible_cases,
        count(*) filter (
            where case_sla.sla_a_business_minutes_including_wait > case_sla.sla_a_target_minutes
        ) as breaches_before_including_wait,
        count(*) filter (
            where case_sla.sla_a_business_minutes_including_wait - case_savings.minutes_saved
            > case_sla.sla_a_target_minutes
        ) as breaches_after_including_wait,
        count(*) filter (
            where case_sla.sla_a_business_minutes_paused_wait > case_sla.sla_a_target_minutes
        ) as breaches_before_paused_wait,
        count(*) filter (
            where case_sla.sla_a_business_minutes_paused_wait - case_savings.minutes_saved
            > case_sla.sla_a_target_minutes
        ) as breaches_after_paused_wait

    from case_savings
    inner join case_sla
        on case_savings.case_id = case_sla.case_id
    group by case_savings.scenario_id

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
        coalesce(hours_saved.business_hours_saved, 0) as business_hours_saved,
        coalesce(hours_saved.rework_hours_saved, 0) as rework_hours_saved,
        coalesce(hours_saved.business_hours_saved, 0) + coalesce(hours_saved.rework_hours_saved, 0)
            as total_hours_saved,
        coalesce(hours_saved.reopens_avoided, 0) as reopens_avoided

    from scenarios
    left join breach_counts
        on scenarios.scenario_id = breach_counts.scenario_id
    left join hours_saved
        on scenarios.scenario_id = hours_saved.scenario_id

)

select * from final
