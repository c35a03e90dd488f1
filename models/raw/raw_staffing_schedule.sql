-- Staffing plan as exported.
select
    schedule_date,
    shift,
    planned_agents,
    shrinkage,
    effective_agents
from {{ source('ops_export', 'staffing_schedule') }}
