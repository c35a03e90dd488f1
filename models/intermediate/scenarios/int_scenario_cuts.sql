-- What each what-if scenario cuts, one row per scenario, resolved case and cut: a stage's
-- agent work (customer wait excluded) or the case's rework. A combination applies its parts
-- (single scenarios, each counted once) to each case together; cuts of the same stage, or
-- two reopen cuts, compound: the share kept is the product of the shares kept.
-- Rules: DECISIONLOG.md, "Scenarios".

{{ config(materialized='view') }}

with

scenarios as (

    select * from {{ ref('scenarios') }}

),

case_clocks as (

    select * from {{ ref('int_case_sla') }}
    where case_status = 'resolved'

),

cases as (

    select * from {{ ref('int_cases') }}

),

rework as (

    select * from {{ ref('int_case_rework') }}

),

stages as (

    select * from {{ ref('int_case_stage_durations') }}

),

-- the resolved cases with what a cut needs: the tier, the reopens and the rework time (the
-- case-clock models, as case_sla has them: an intermediate model reads no mart)
resolved_cases as (

    select
        case_clocks.case_id,
        cases.tier,
        case_clocks.reopen_count,
        coalesce(rework.rework_business_minutes, 0) as rework_business_minutes

    from case_clocks
    inner join cases
        on case_clocks.case_id = cases.case_id
    left join rework
        on case_clocks.case_id = rework.case_id

),

-- the parts a combination names (';'-separated ids of single scenarios)
combination_parts as (

    select
        scenario_id,
        {{ ops_sla.unnest_list(ops_sla.split_text('combines', ';')) }} as part_id
    from scenarios
    where kind = 'combination'

),

-- the single scenarios each scenario applies: itself, or the parts it combines
applied_ids as (

    select
        scenario_id,
        scenario_id as part_id
    from scenarios
    where kind != 'combination'
    union
    select
        scenario_id,
        trim(part_id) as part_id
    from combination_parts

),

applied_parts as (

    select
        applied_ids.scenario_id,
        parts.kind,
        coalesce(parts.stage, 'rework') as cut,
        parts.tier,
        cast(parts.reduction_pct as double) / 100 as reduction_share

    from applied_ids
    inner join scenarios as parts
        on applied_ids.part_id = parts.scenario_id
    where parts.kind in ('stage_reduction', 'reopen_reduction')

),

case_parts as (

    select
        applied_parts.scenario_id,
        applied_parts.cut,
        applied_parts.reduction_share,
        resolved_cases.case_id,
        resolved_cases.reopen_count,
        resolved_cases.rework_business_minutes

    from applied_parts
    inner join resolved_cases
        on applied_parts.tier is null or applied_parts.tier = resolved_cases.tier
    -- a reopen cut acts on the cases that were reopened
    where applied_parts.kind = 'stage_reduction' or resolved_cases.reopen_count > 0

),

cuts as (

    select
        scenario_id,
        case_id,
        cut,
        case
            when count(*) = 1 then any_value(reduction_share)
            else 1 - {{ ops_sla.product_of('1 - reduction_share') }}
        end as saved_share,
        any_value(reopen_count) as reopen_count,
        any_value(rework_business_minutes) as rework_business_minutes

    from case_parts
    group by scenario_id, case_id, cut

),

final as (

    select
        cuts.scenario_id,
        cuts.case_id,
        cuts.cut,
        cuts.saved_share,
        case
            when cuts.cut = 'rework' then cuts.rework_business_minutes
            else stages.business_minutes - stages.customer_wait_business_minutes
        end as cut_business_minutes,
        case when cuts.cut = 'rework' then cuts.reopen_count else 0 end as reopen_count

    from cuts
    left join stages
        on
            cuts.case_id = stages.case_id
            and cuts.cut = stages.stage
    where cuts.cut = 'rework' or stages.case_id is not null

)

select * from final
