-- Stage decomposition of every resolved case's SLA A window (intake -> first resolution)
-- into five consecutive stages between milestones. A missing milestone gives a zero-length
-- stage (its time goes to the neighbouring stage), so the stages always add up to the
-- whole window. Customer wait inside each stage is measured separately.

-- depends_on: {{ ref('int_case_refresh_scope') }}

with

milestones as (

    select * from {{ ref('int_case_milestones') }}
    where case_status = 'resolved'
    {%- if is_incremental() %}
        and {{ ops_sla.in_refresh_scope() }}
    {%- endif %}

),

waits as (

    select * from {{ ref('int_customer_wait_intervals') }}
    {{ ops_sla.only_cases_in_refresh_scope() }}

),

ownership as (

    select * from {{ ref('int_case_ownership') }}
    {{ ops_sla.only_cases_in_refresh_scope() }}

),

boundaries as (

    select
        case_id,
        intake_at as b0,
        least(first_touch_at, first_resolution_at) as b1,
        first_assignment_at,
        first_investigation_at,
        first_review_qa_at,
        first_resolution_at as b5

    from milestones

),

with_assignment as (

    select
        case_id,
        b0,
        b1,
        greatest(b1, least(coalesce(first_assignment_at, b1), b5)) as b2,
        first_investigation_at,
        first_review_qa_at,
        b5

    from boundaries

),

with_investigation as (

    select
        case_id,
        b0,
        b1,
        b2,
        greatest(b2, least(coalesce(first_investigation_at, b2), b5)) as b3,
        first_review_qa_at,
        b5

    from with_assignment

),

with_review_qa as (

    select
        case_id,
        b0,
        b1,
        b2,
        b3,
        greatest(b3, least(coalesce(first_review_qa_at, b5), b5)) as b4,
        b5

    from with_investigation

),

stages as (

    select
        case_id,
        unnest([  -- noqa: AL03
            { 'stage_order': 1, 'stage': 'intake_to_triage', 'started_at': b0, 'ended_at': b1 },
            { 'stage_order': 2, 'stage': 'triage_to_assignment', 'started_at': b1, 'ended_at': b2 },
            { 'stage_order': 3, 'stage': 'assignment_to_investigation', 'started_at': b2, 'ended_at': b3 },
            { 'stage_order': 4, 'stage': 'investigation_to_review_qa', 'started_at': b3, 'ended_at': b4 },
            { 'stage_order': 5, 'stage': 'review_qa_to_resolution', 'started_at': b4, 'ended_at': b5 }
        ], recursive := true)

    from with_review_qa

),

wait_overlap as (

    select
        stages.case_id,
        stages.stage_order,
        {{ ops_sla.sum_minutes(ops_sla.case_business_minutes_between(
            'greatest(stages.started_at, waits.started_at)',
            'least(stages.ended_at, coalesce(waits.closed_at, stages.ended_at))',
            'ownership.segments'
        )) }} as customer_wait_business_minutes

    from stages
    inner join ownership
        on stages.case_id = ownership.case_id
    inner join waits
        on
            stages.case_id = waits.case_id
            and stages.ended_at > waits.started_at
            and coalesce(waits.closed_at, stages.ended_at) > stages.started_at
    group by stages.case_id, stages.stage_order

),

final as (

    select
        stages.case_id,
        stages.stage_order,
        stages.stage,
        stages.started_at,
        stages.ended_at,
        {{ ops_sla.case_business_minutes_between('stages.started_at', 'stages.ended_at', 'ownership.segments') }}
            as business_minutes,
        coalesce(wait_overlap.customer_wait_business_minutes, 0) as customer_wait_business_minutes,
        {{ ops_sla.run_marker() }} as refreshed_at

    from stages
    inner join ownership
        on stages.case_id = ownership.case_id
    left join wait_overlap
        on
            stages.case_id = wait_overlap.case_id
            and stages.stage_order = wait_overlap.stage_order

)

-- in case order: a daily run reads and deletes the rows of a few (mostly recent) cases, and
-- DuckDB skips the row groups of the others (DECISIONLOG "Case tables are stored in case order")
select * from final
order by case_id
