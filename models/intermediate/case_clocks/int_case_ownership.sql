-- Who owns each case when, and under which schedule its business time accrues: one row per
-- case with its ownership segments (DECISIONLOG "Several business schedules").
-- The intake team (cases.team_id; `default` without one) owns the case from intake; each clean
-- HANDOFF event at or after intake hands it to its team_id at its event_at (two at one
-- instant: the later event id owns). A team works to the schedule in effect
-- (int_team_schedule_periods), so a schedule change splits a segment too.
-- `segments` lists them in time order with the numbers the macros case_segment_at,
-- segment_ordinal_us and case_instant_at_ordinal read (macros/business_time.sql): the case's
-- business ordinal is continuous across segments.
-- Incremental: re-derives the cases of int_case_refresh_scope.

-- depends_on: {{ ref('int_case_refresh_scope') }}

with

cases as (

    select * from {{ ref('int_cases') }}
    {{ ops_sla.only_cases_in_refresh_scope() }}

),

case_events as (

    select * from {{ ref('int_events_clean') }}
    {{ ops_sla.only_cases_in_refresh_scope() }}

),

business_time as (

    select * from {{ ref('int_business_time_index') }}

),

team_schedule_periods as (

    select * from {{ ref('int_team_schedule_periods') }}

),

handoffs as (

    select
        case_id,
        event_at,
        event_id,
        team_id
    from case_events
    where status = 'HANDOFF' and not is_before_intake

),

-- the owner from each instant on: the intake team, then each hand-off
owner_changes as (

    select
        case_id,
        intake_at as owned_from_at,
        -1 as event_id,
        intake_team_id as team_id
    from cases

    union all

    select
        case_id,
        event_at as owned_from_at,
        event_id,
        team_id
    from handoffs

),

-- one hand-off per instant: the later event id. The intake row stays beside a hand-off at the
-- intake instant: it owns no time from intake on, but the first segment also stands for
-- every instant before intake, and that is the intake team's
ranked_owner_changes as (

    select
        *,
        row_number() over (partition by case_id, owned_from_at, event_id = -1 order by event_id desc) as instant_rank

    from owner_changes

),

owner_at_instant as (

    select
        case_id,
        owned_from_at,
        event_id,
        team_id

    from ranked_owner_changes
    where instant_rank = 1

),

-- each owner until the next one; after the de-duplication, or a tie's owner would end at its
-- own start (the tied row as its `lead`) and miss its team's later schedule switches
owners as (

    select
        case_id,
        owned_from_at,
        event_id,
        lead(owned_from_at) over (partition by case_id order by owned_from_at, event_id) as owned_until_at,
        team_id

    from owner_at_instant

),

segments as (

    select
        owners.case_id,
        owners.team_id,
        periods.schedule_id,
        periods.time_zone,
        owners.event_id as owner_order,
        greatest(owners.owned_from_at, coalesce(periods.starts_at, owners.owned_from_at)) as starts_at

    from owners
    inner join team_schedule_periods as periods
        on
            owners.team_id = periods.team_id
            and (
                periods.starts_at is null
                or owners.owned_until_at is null
                or owners.owned_until_at > periods.starts_at
                -- the intake team's empty ownership at a hand-off at intake: its period then
                or owners.owned_from_at >= periods.starts_at
            )
            and (periods.ends_at is null or owners.owned_from_at < periods.ends_at)

),

-- the schedule's ordinal at the segment's start, and the previous segment's schedule's
-- ordinal at the same instant: the difference is the jump the case's ordinal must not make
segment_ordinals as (

    select
        segments.case_id,
        segments.team_id,
        segments.schedule_id,
        segments.time_zone,
        segments.starts_at,
        row_number() over by_case as segment_number,
        business_time.first_bucket_us,
        business_time.bucket_count,
        business_time.business_bucket_count,
        business_time.ordinal_base,
        business_time.bucket_number_base,
        {{ ops_sla.segment_ordinal_us('segments.starts_at', ops_sla.make_struct({
            'first_bucket_us': 'business_time.first_bucket_us', 'bucket_count': 'business_time.bucket_count',
            'ordinal_base': 'business_time.ordinal_base', 'shift_us': '0'})) }} as own_ordinal_us,
        {{ ops_sla.segment_ordinal_us('segments.starts_at', ops_sla.make_struct({
            'first_bucket_us': 'lag(business_time.first_bucket_us) over by_case',
            'bucket_count': 'lag(business_time.bucket_count) over by_case',
            'ordinal_base': 'lag(business_time.ordinal_base) over by_case', 'shift_us': '0'})) }} as previous_ordinal_us

    from segments
    inner join business_time
        on segments.schedule_id = business_time.schedule_id
    window by_case as (partition by segments.case_id order by segments.starts_at, segments.owner_order)

),

jumps as (

    select
        *,
        case when segment_number = 1 then 0 else previous_ordinal_us - own_ordinal_us end as jump_us

    from segment_ordinals

),

-- NULL from a segment whose start is outside its schedule's calendar range on (as every
-- business time outside the calendar)
shifted as (

    select
        *,
        case
            when bool_and(jump_us is not null) over up_to_segment then sum(jump_us) over up_to_segment
        end as shift_us

    from jumps
    window up_to_segment as (
        partition by case_id order by segment_number rows between unbounded preceding and current row
    )

),

per_case as (

    select
        case_id,
        count(*) as segment_count,
        max_by(team_id, segment_number) as final_team_id,
        {{ ops_sla.ordered_list(ops_sla.make_struct({
            'starts_us': ops_sla.epoch_us('starts_at'),
            'first_bucket_us': 'cast(first_bucket_us as bigint)',
            'bucket_count': 'cast(bucket_count as bigint)',
            'business_bucket_count': 'cast(business_bucket_count as bigint)',
            'ordinal_base': 'cast(ordinal_base as bigint)',
            'bucket_number_base': 'cast(bucket_number_base as bigint)',
            'shift_us': 'cast(shift_us as bigint)',
            'case_us_at_start': 'cast(own_ordinal_us + shift_us as bigint)'}), ['segment_number']) }} as segments

    from shifted
    group by case_id

),

-- the schedule owning the case at its intake instant: the last segment starting then (all
-- start at or after intake)
ranked_segments as (

    select
        case_id,
        schedule_id,
        time_zone,
        row_number() over (partition by case_id order by starts_at asc, segment_number desc) as intake_rank

    from shifted

),

intake_segments as (

    select
        case_id,
        schedule_id,
        time_zone

    from ranked_segments
    where intake_rank = 1

),

handoff_counts as (

    select
        case_id,
        count(*) as handoff_count

    from handoffs
    group by case_id

),

final as (

    select
        cases.case_id,
        cases.intake_team_id,
        -- the schedule owning the case at its intake instant (a hand-off at intake: the
        -- receiving team's)
        intake_segment.schedule_id as intake_schedule_id,
        intake_segment.time_zone as intake_time_zone,
        per_case.final_team_id,
        coalesce(handoff_counts.handoff_count, 0) as handoff_count,
        coalesce(per_case.segment_count, 0) as segment_count,
        per_case.segments,
        {{ ops_sla.run_marker() }} as refreshed_at

    from cases
    left join per_case
        on cases.case_id = per_case.case_id
    left join intake_segments as intake_segment
        on cases.case_id = intake_segment.case_id
    left join handoff_counts
        on cases.case_id = handoff_counts.case_id

)

-- in case order, as every case table (DECISIONLOG "Case tables are stored in case order")
select * from final
order by case_id
