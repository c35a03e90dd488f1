-- Cases as exported, loaded into the warehouse with the file each row came from.
select
    case_id,
    intake_ts,
    case_type,
    tier,
    team_tz,
    intake_date,
    {{ ops_sla.relative_source_file('filename') }} as source_file
from {{ source('ops_export', 'cases') }}
