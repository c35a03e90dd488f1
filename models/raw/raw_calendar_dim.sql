-- Holiday calendar as exported.
select
    calendar_date,
    day_of_week,
    is_weekend,
    is_holiday,
    holiday_name,
    is_business_day,
    holiday_country,
    holiday_subdiv
from {{ source('ops_export', 'calendar_dim') }}
