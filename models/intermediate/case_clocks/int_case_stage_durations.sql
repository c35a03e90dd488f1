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
        {%- set stage_names = ['intake_to_triage', 'triage_to_assignment', 'assignment_to_investigation',
            'investigation_to_review_qa', 'review_qa_to_resolution'] %}
        {%- set stage_rows = [] %}
        {%- for stage in stage_names %}
            {%- do stage_rows.append({'stage_order': loop.index | string, 'stage': "'" ~ stage ~ "'",
                'started_at': 'b' ~ (loop.index - 1), 'ended_at': 'b' ~ loop.index}) %}
        {%- endfor %}
        {{ ops_sla.rows_of(stage_rows) }}  -- noqa: AL03

    from with_review_qa

),

-- the joins first, materialized: the business-time macros then read one row source each. (Their
-- look-up lists are scalar sub-queries; with the joins in the same query, DuckDB's join
-- ordering could put those lists into a hash table, one copy per row: gigabytes on small data.)
stage_waits as {{ ops_sla.cte_hint('materialized') }} (

    select
        stages.case_id,
        stages.stage_order,
        ownership.segments,
        greatest(stages.started_at, waits.started_at) as wait_started_at,
        least(stages.ended_at, coalesce(waits.closed_at, stages.ended_at)) as wait_ended_at

    from stages
    inner join ownership
        on stages.case_id = ownership.case_id
    inner join waits
        on
            stages.case_id = waits.case_id
            and stages.ended_at > waits.started_at
            and coalesce(waits.closed_at, stages.ended_at) > stages.started_at

),

owned_stages as {{ ops_sla.cte_hint('materialized') }} (

    select
        stages.*,
        ownership.segments

    from stages
    inner join ownership
        on stages.case_id = ownership.case_id

),

wait_overlap as (

    select
        case_id,
        stage_order,
        {{ ops_sla.sum_minutes(ops_sla.case_business_minutes_between('wait_started_at', 'wait_ended_at', 'segments')) }}
            as customer_wait_business_minutes

    from stage_waits
    group by case_id, stage_order

),

timed_stages as (

    select
        case_id,
        stage_order,
        stage,
        started_at,
        ended_at,
        {{ ops_sla.case_business_minutes_between('started_at', 'ended_at', 'segments') }} as business_minutes

    from owned_stages

),

final as (

    select
        timed_stages.case_id,
        timed_stages.stage_order,
        timed_stages.stage,
        timed_stages.started_at,
        timed_stages.ended_at,
        timed_stages.business_minutes,
        coalesce(wait_overlap.customer_wait_business_minutes, 0) as customer_wait_business_minutes,
        {{ ops_sla.run_marker() }} as refreshed_at

    from timed_stages
    left join wait_overlap
        on
            timed_stages.case_id = wait_overlap.case_id
            and timed_stages.stage_order = wait_overlap.stage_order

)

-- in case order: a daily run reads and deletes the rows of a few (mostly recent) cases, and
-- DuckDB skips the row groups of the others (DECISIONLOG "Case tables are stored in case order")
select * from final
order by case_id
