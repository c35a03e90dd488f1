-- Events as exported, loaded into the warehouse with the file (relative to the raw
-- folder) and row each came from: (source_file, source_row) identifies every raw row, so
-- each can be traced to exactly one outcome (clean, removed duplicate or quarantined).
-- Incremental: a file is loaded once; later runs read and append only files not seen before.
-- Columns are cast to the contract's types (raw_file_inventory checked each
-- file's): files read together get a common type, which must not change the table's.

{{ config(materialized=ops_sla.incremental_or_table(), incremental_strategy='append', on_schema_change='fail') }}

with

source as (

    {{ ops_sla.raw_rows('events_log') }}

),

-- the files this run loads, with their size and modification time: those raw_file_inventory
-- listed and checked at the start of the run (a file arriving meanwhile waits for the next
-- run; a bad file fails a test on the inventory, and this model is skipped)
files as (

    select
        filename,
        file_bytes,
        file_modified_at
    from {{ ref('raw_file_inventory') }}
    where raw_table = 'events_log' and is_read

),

final as (

    select
        cast(source.event_id as bigint) as event_id,
        cast(source.case_id as string) as case_id,
        cast(source.status as string) as status,
        cast(source.event_ts as {{ ops_sla.instant_type() }}) as event_ts,
        cast(source.ingestion_ts as {{ ops_sla.instant_type() }}) as ingestion_ts,
        cast(source.team_id as string) as team_id,
        source.ingestion_date,
        {{ ops_sla.relative_source_file('source.filename') }} as source_file,
        source.file_row_number as source_row,
        files.file_bytes as source_file_bytes,
        files.file_modified_at as source_file_modified_at,
        {{ ops_sla.run_marker() }} as loaded_at

    from source
    inner join files on source.filename = files.filename
    {%- if is_incremental() %}
    where {{ ops_sla.only_unloaded_raw_files('events_log', 'source.filename') }}
    {%- endif %}

)

select * from final
