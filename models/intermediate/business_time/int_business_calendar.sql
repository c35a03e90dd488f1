-- One row per local calendar date: is it a business day, and when (as instants) does
-- business time open and close. Business days are the weekdays in var business_weekdays
-- minus holidays; hours are var business_day_open .. business_day_close, local wall time.
-- A view (a few hundred rows): int_business_time_index is the table the macros read.

{{ config(materialized='view') }}

{%- set open_minute = ops_sla.minutes_of_day("'" ~ var('business_day_open') ~ "'") %}
{%- set close_minute = ops_sla.minutes_of_day("'" ~ var('business_day_close') ~ "'") %}

with

calendar as (

    select * from {{ ref('int_calendar_as_loaded') }}

),

days as (

    select
        calendar_date,
        {{ ops_sla.iso_weekday('calendar_date') }} as iso_weekday,
        is_holiday,
        holiday_name,
        {{ ops_sla.iso_weekday('calendar_date') }} in ({{ var('business_weekdays') | join(', ') }})
        and not is_holiday as is_business_day,
        {{ ops_sla.local_to_instant('calendar_date') }} as day_start_at,
        {{ ops_sla.local_to_instant('calendar_date + 1') }} as day_end_at,
        {{ ops_sla.local_to_instant(ops_sla.wall_time_on('calendar_date', open_minute)) }} as open_time_at,
        {{ ops_sla.local_to_instant(ops_sla.wall_time_on('calendar_date', close_minute)) }} as close_time_at

    from calendar

),

business_hours as (

    select
        calendar_date,
        iso_weekday,
        is_holiday,
        holiday_name,
        is_business_day,
        day_start_at,
        day_end_at,
        case when is_business_day then open_time_at end as open_at,
        case when is_business_day then close_time_at end as close_at,
        case
            when is_business_day
                then {{ ops_sla.epoch_seconds('close_time_at') }} - {{ ops_sla.epoch_seconds('open_time_at') }}
            else 0
        end as business_seconds

    from days

),

final as (

    select
        calendar_date,
        iso_weekday,
        is_holiday,
        holiday_name,
        is_business_day,
        day_start_at,
        day_end_at,
        open_at,
        close_at,
        cast(business_seconds as bigint) as business_seconds,
        cast(
            sum(business_seconds) over (
                order by calendar_date rows between unbounded preceding and current row
            ) - business_seconds as bigint
        ) as business_seconds_before

    from business_hours

)

select * from final
