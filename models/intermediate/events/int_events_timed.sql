-- Every staged event with the time the SLA engine would use: as recorded, repaired when
-- the time-zone label is provably wrong, or imputed from ingestion when missing.
-- Rules: DECISIONLOG.md, "Event cleaning".
-- Incremental: each row's times depend on that row alone, so a run derives them once, for
-- the rows loaded after the newest one derived (load markers only grow: a run that starts
-- before any logged run is refused); int_events_classified then reads plain columns.

{{ config(materialized=ops_sla.incremental_or_table(), incremental_strategy='append', on_schema_change='fail') }}

{% set lag_s = var('normal_ingestion_lag_seconds') %}

with

events as (

    select * from {{ ref('stg_ops_export__events') }}
    {%- if is_incremental() %}
    -- a filter on the load marker skips the row groups of the history; `source_file not in`
    -- the derived files read every event of both tables (~0.05 s more per run)
    where loaded_at > (select coalesce(max(loaded_at), {{ ops_sla.earliest_instant() }}) from {{ this }})
    {%- endif %}

),

-- a time-zone-mislabelled event carries the team's local wall-clock reading labelled as
-- UTC. Read back as local time, a wall-clock value names one instant, or two (the repeated
-- hour when clocks go back), or none (the skipped hour): all candidates are kept.
relabelled as (

    select
        *,
        {{ ops_sla.instant_to_local('event_at', "'UTC'") }} as recorded_wall_time,
        {{ ops_sla.local_to_instant(ops_sla.instant_to_local('event_at', "'UTC'")) }} as candidate_at

    from events

),

candidates as (

    select
        *,
        {{ ops_sla.epoch_seconds('ingested_at') }} - {{ ops_sla.epoch_seconds('event_at') }} as recorded_lag_seconds,
        {{ ops_sla.instant_to_local('candidate_at') }} = recorded_wall_time as candidate_exists,
        {{ ops_sla.instant_to_local('candidate_at - interval 1 hour') }} = recorded_wall_time
            as earlier_candidate_exists,
        {{ ops_sla.instant_to_local('candidate_at + interval 1 hour') }} = recorded_wall_time
            as later_candidate_exists,
        {{ ops_sla.epoch_seconds('ingested_at') }} - {{ ops_sla.epoch_seconds('candidate_at') }}
            as candidate_lag_seconds

    from relabelled

),

-- a candidate fits when its export lag is normal; the lag picks the right occurrence of a
-- repeated hour, so a repair is ambiguous only if the wall time does not exist at all
fits as (

    select
        *,
        coalesce(recorded_lag_seconds between 0 and {{ lag_s }}, false) as recorded_lag_is_normal,
        coalesce(candidate_exists and candidate_lag_seconds between 0 and {{ lag_s }}, false) as candidate_fits,
        coalesce(
            earlier_candidate_exists and candidate_lag_seconds + 3600 between 0 and {{ lag_s }}, false
        ) as earlier_candidate_fits,
        coalesce(
            later_candidate_exists and candidate_lag_seconds - 3600 between 0 and {{ lag_s }}, false
        ) as later_candidate_fits,
        coalesce(
            not candidate_exists and (
                candidate_lag_seconds between 0 and {{ lag_s }}
                or candidate_lag_seconds + 3600 between 0 and {{ lag_s }}
                or candidate_lag_seconds - 3600 between 0 and {{ lag_s }}
            ),
            false
        ) as nonexistent_wall_time_fits

    from candidates

),

mislabel_check as (

    select
        *,
        not recorded_lag_is_normal
        and (candidate_fits or earlier_candidate_fits or later_candidate_fits or nonexistent_wall_time_fits)
            as looks_mislabelled,
        nonexistent_wall_time_fits
        or cast(candidate_fits as integer) + cast(earlier_candidate_fits as integer)
        + cast(later_candidate_fits as integer) > 1 as wall_time_is_ambiguous,
        case
            when candidate_fits then candidate_at
            when earlier_candidate_fits then candidate_at - interval 1 hour
            when later_candidate_fits then candidate_at + interval 1 hour
        end as relabelled_at

    from fits

),

resolved_time as (

    select
        *,
        case
            when event_at is null then ingested_at
            when looks_mislabelled then relabelled_at
            else event_at
        end as resolved_event_at,
        case
            when event_at is null and ingested_at is not null then 'imputed_from_ingestion'
            when looks_mislabelled then 'tz_repaired'
            else 'recorded'
        end as event_time_source

    from mislabel_check

),

final as (

    select
        source_file,
        source_row,
        event_id,
        case_id,
        status,
        team_id,
        event_at,
        ingested_at,
        ingestion_date,
        loaded_at,
        looks_mislabelled,
        wall_time_is_ambiguous,
        resolved_event_at,
        event_time_source

    from resolved_time

)

select * from final
