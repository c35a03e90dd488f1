-- Raw events the pipeline rejected, one row each, with the reason. Nothing is dropped
-- silently: together with the clean stream and the removed duplicates these are all
-- raw rows (see event_reconciliation).

with

classified as (

    select * from {{ ref('int_events_classified') }}
    where disposition = 'quarantined'

),

reasons as (

    select * from {{ ref('quarantine_reasons') }}

),

final as (

    select
        classified.source_file,
        classified.source_row,
        classified.ingestion_date,
        classified.event_id,
        classified.case_id,
        classified.status,
        {{ ops_sla.instant_to_local('classified.recorded_event_at') }} as recorded_event_ts_local,
        {{ ops_sla.instant_to_local('classified.ingested_at') }} as ingestion_ts_local,
        classified.reason_code,
        reasons.description as reason_description

    from classified
    left join reasons
        on classified.reason_code = reasons.reason_code

)

select * from final
