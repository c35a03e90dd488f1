-- Per raw file: every raw event row is clean, a removed duplicate, or quarantined. The raw
-- rows are counted in staging (one row per raw row, with its source_file and source_row):
-- a mart reads no raw model.

with

staged_events as (

    select * from {{ ref('stg_ops_export__events') }}

),

raw_events as (

    select
        source_file,
        count(*) as raw_rows
    from staged_events
    group by source_file

),

classified as (

    select * from {{ ref('int_events_classified') }}

),

outcomes as (

    select
        source_file,
        count(*) filter (where disposition = 'clean') as clean_rows,
        count(*) filter (where disposition = 'duplicate') as duplicate_rows,
        count(*) filter (where disposition = 'quarantined') as quarantined_rows,
        count(*) filter (where event_time_source = 'tz_repaired') as tz_repaired_rows,
        count(*) filter (where event_time_source = 'imputed_from_ingestion') as imputed_time_rows

    from classified
    group by source_file

),

final as (

    select
        raw_events.source_file,
        raw_events.raw_rows,
        coalesce(outcomes.clean_rows, 0) as clean_rows,
        coalesce(outcomes.duplicate_rows, 0) as duplicate_rows,
        coalesce(outcomes.quarantined_rows, 0) as quarantined_rows,
        coalesce(outcomes.tz_repaired_rows, 0) as tz_repaired_rows,
        coalesce(outcomes.imputed_time_rows, 0) as imputed_time_rows,
        raw_events.raw_rows
        = coalesce(outcomes.clean_rows, 0) + coalesce(outcomes.duplicate_rows, 0)
        + coalesce(outcomes.quarantined_rows, 0) as is_reconciled

    from raw_events
    left join outcomes
        on raw_events.source_file = outcomes.source_file

)

select * from final
