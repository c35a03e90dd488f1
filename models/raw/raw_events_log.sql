-- Events as exported, loaded into the warehouse with the file (relative to the raw
-- folder) and row each came from: (source_file, source_row) identifies every raw row, so
-- each can be traced to exactly one outcome (clean, removed duplicate or quarantined).
-- Incremental: a file is loaded once; later runs append only files not seen before.

{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}

with

source as (

    select * from {{ source('ops_export', 'events_log') }}

),

final as (

    select
        event_id,
        case_id,
        status,
        event_ts,
        ingestion_ts,
        ingestion_date,
        {{ ops_sla.relative_source_file('filename') }} as source_file,
        file_row_number as source_row,
        {{ ops_sla.run_marker() }} as loaded_at

    from source
    {%- if is_incremental() %}
    where filename not in (select distinct {{ ops_sla.absolute_source_file('source_file') }} from {{ this }})
    {%- endif %}

)

select * from final
