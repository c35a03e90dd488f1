-- The clean event stream: one row per distinct event, with the event time the SLA engine
-- uses. Events stamped before their case's intake stay here, flagged (is_before_intake).
-- A view: a filter on int_events_classified, cheap to read by case.

{{ config(materialized='view') }}

with

classified as (

    select * from {{ ref('int_events_classified') }}

),

final as (

    select
        event_id,
        case_id,
        status,
        team_id,
        event_at,
        event_time_source,
        is_before_intake,
        ingested_at,
        source_file,
        source_row

    from classified
    where disposition = 'clean'

)

select * from final
