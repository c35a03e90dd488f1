-- Every raw event row, with exactly one outcome: clean, duplicate (another copy of an
-- event_id is kept) or quarantined (with a reason code). Clean events carry the event
-- time the SLA engine uses (int_events_timed: repaired or imputed where unambiguous).
-- Rules and their order: DECISIONLOG.md, "Event cleaning".
-- Incremental: re-classifies the rows loaded after its largest loaded_at, the events of the cases int_cases
-- re-derived after its largest classified_at, out-of-range events, and every other copy of their ids.

{{ config(
    materialized=ops_sla.incremental_or_table(),
    incremental_strategy='delete+insert',
    unique_key=['source_file', 'source_row']
) }}

{% set lag_s = var('normal_ingestion_lag_seconds') %}
{%- set loaded_since, classified_since = ops_sla.own_watermark('loaded_at'), ops_sla.own_watermark('classified_at') %}
{%- set earliest_plausible = "cast('" ~ var('earliest_plausible_ts') ~ "' as " ~ ops_sla.instant_type() ~ ")" %}

with

-- read by narrow filters below: not materialized, so each reads only the columns it needs
staged as {{ ops_sla.cte_hint('not materialized') }} (

    select * from {{ ref('int_events_timed') }}

),

{%- if is_incremental() %}

rederived_cases as (

    select case_id from {{ ref('int_cases') }}
    where refreshed_at > {{ classified_since }}

),

-- the event ids whose copies are all judged again: those of the rows loaded and of the
-- re-derived cases' events (one plain filter each: an OR over subqueries would read every
-- column of the whole history)
changed_event_ids as (

    select event_id from staged
    where loaded_at > {{ loaded_since }}
    union
    select event_id from staged
    where case_id in (select case_id from rederived_cases)
    union
    -- the calendar may have grown since: out-of-range times are judged again (a duplicate's
    -- own verdict too: once in range, it may be the copy to keep)
    select event_id from {{ this }}
    where row_reason_code = 'TS_OUT_OF_RANGE'

),

{%- endif %}

events as (

    select * from staged
    {%- if is_incremental() %}
    where event_id in (select event_id from changed_event_ids)
    union all
    -- a row without an event id has no other copy: judged again when loaded or of a
    -- re-derived case
    select * from staged
    where
        event_id is null
        and (loaded_at > {{ loaded_since }} or case_id in (select case_id from rederived_cases))
    {%- endif %}

),

cases as (

    select
        case_id,
        intake_at
    from {{ ref('int_cases') }}

),

statuses as (

    select status from {{ ref('event_statuses') }}

),

calendar_range as (

    -- the instants every schedule covers (business time is NULL outside a schedule's range)
    select
        max(covers_from) as covers_from,
        min(covers_until) as covers_until
    from {{ ref('int_business_time_index') }}

),

-- every rule but the duplicate one, judged on each row alone
checked as (

    select
        resolved_time.*,
        cases.intake_at,
        case
            when resolved_time.event_id is null then 'NULL_EVENT_ID'
            when statuses.status is null then 'UNKNOWN_STATUS'
            when cases.case_id is null then 'UNKNOWN_CASE'
            when resolved_time.status = 'HANDOFF' and resolved_time.team_id is null then 'HANDOFF_WITHOUT_TEAM'
            when resolved_time.event_at is null and resolved_time.ingested_at is null then 'MISSING_TIMESTAMPS'
            when resolved_time.looks_mislabelled and resolved_time.wall_time_is_ambiguous
                then 'TZ_REPAIR_AMBIGUOUS'
            when
                resolved_time.resolved_event_at < {{ earliest_plausible }}
                or resolved_time.resolved_event_at < calendar_range.covers_from
                or resolved_time.resolved_event_at >= calendar_range.covers_until
                or resolved_time.ingested_at < {{ earliest_plausible }}
                or resolved_time.ingested_at >= calendar_range.covers_until
                then 'TS_OUT_OF_RANGE'
            -- a time after the day following its file's date is a bad stamp, not a late file
            -- (it would otherwise become the as-of instant and age every open case)
            when
                coalesce(resolved_time.ingested_at, resolved_time.resolved_event_at)
                >= {{ ops_sla.after_file_date('resolved_time.ingestion_date') }}
                then 'TS_AFTER_FILE_DATE'
            when resolved_time.resolved_event_at > resolved_time.ingested_at + interval {{ lag_s }} second
                then 'EVENT_AFTER_INGESTION'
        end as row_reason_code,
        -- what a copy says: its case, status and (hand-offs) team
        resolved_time.case_id || chr(31) || resolved_time.status || chr(31) || coalesce(resolved_time.team_id, '')
            as event_kind

    from events as resolved_time
    cross join calendar_range
    left join statuses
        on resolved_time.status = statuses.status
    left join cases
        on resolved_time.case_id = cases.case_id

),

-- one copy of each event id is kept: the earliest ingested copy that passes every rule, or,
-- when none does, the earliest ingested (then file, then row); the others are duplicates.
-- Copies that pass every rule but name another case or status are not one event re-sent:
-- the id was reused, and which copy is right cannot be told, so none is kept.
copies as (

    select
        *,
        row_number() over (
            partition by event_id
            order by row_reason_code is not null, ingested_at nulls last, source_file, source_row
        ) as copy_number,
        min(case when row_reason_code is null then event_kind end) over by_event_id as first_passing_kind,
        max(case when row_reason_code is null then event_kind end) over by_event_id as last_passing_kind

    from checked
    window by_event_id as (partition by event_id)

),

outcomes as (

    select
        *,
        case
            when event_id is null then row_reason_code
            when first_passing_kind <> last_passing_kind then coalesce(row_reason_code, 'CONFLICTING_EVENT_ID')
            when copy_number > 1 then 'DUPLICATE_EVENT_ID'
            else row_reason_code
        end as reason_code

    from copies

),

final as (

    select
        source_file,
        source_row,
        ingestion_date,
        event_id,
        case_id,
        status,
        team_id,
        event_at as recorded_event_at,
        ingested_at,
        case
            when reason_code is null then 'clean'
            when reason_code = 'DUPLICATE_EVENT_ID' then 'duplicate'
            else 'quarantined'
        end as disposition,
        reason_code,
        row_reason_code,
        case when reason_code is null then resolved_event_at end as event_at,
        case when reason_code is null then event_time_source end as event_time_source,
        coalesce(reason_code is null and resolved_event_at < intake_at, false) as is_before_intake,
        loaded_at,
        {{ ops_sla.run_marker() }} as classified_at

    from outcomes

)

-- in case order: the case models of a daily run read the events of a few thousand (mostly
-- recent) cases, and DuckDB skips the row groups of the others (DECISIONLOG "Case tables are
-- stored in case order")
select * from final
order by case_id
