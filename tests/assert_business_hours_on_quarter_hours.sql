-- The business-time spine has 15-minute buckets: every opening and closing instant (and
-- every local midnight) must fall on a UTC quarter hour. Fails for business hours that
-- don't start/end on a quarter hour or for a zone with an unusual offset.

select
    calendar_date,
    open_at,
    close_at,
    day_start_at

from {{ ref('int_business_calendar') }}
where
    epoch_us(day_start_at) % 900000000 <> 0
    or (is_business_day and (epoch_us(open_at) % 900000000 <> 0 or epoch_us(close_at) % 900000000 <> 0))
