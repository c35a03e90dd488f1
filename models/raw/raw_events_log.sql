-- Events as exported, loaded into the warehouse with the file (relative to the raw
-- folder) and row each came from: (source_file, source_row) identifies every raw row, so
-- each can be traced to exactly one outcome (clean, removed duplicate or quarantined).
select
    event_id,
    case_id,
    status,
    event_ts,
    ingestion_ts,
    ingestion_date,
    {{ ops_sla.relative_source_file('filename') }} as source_file,
    file_row_number as source_row
from {{ source('ops_export', 'events_log') }}
