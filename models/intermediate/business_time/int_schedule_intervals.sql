-- The open and closed intervals of every schedule as instants, one row per schedule, local
-- date and interval: `open` rows are the hours in effect on the date (seed schedule_hours,
-- effective-dated by local dates; several on one weekday = a split shift), `closed` rows
-- the closures of the date (seed schedule_closures: holidays and own, whole or part days).
-- Business time is the union of the open intervals minus the closed ones
-- (int_business_time_buckets). The `default` schedule's open intervals are the business
-- hours of int_business_calendar (its holidays are already left out there).
-- Local wall times become instants in the schedule's zone ('24:00' = the next local
-- midnight); a wall time a DST change skips takes the offset before the change.

{{ config(materialized='view') }}

with

calendar as (

    select * from {{ ref('int_calendar_as_loaded') }}

),

default_calendar as (

    select * from {{ ref('int_business_calendar') }}

),

schedules as (

    select * from {{ ref('int_schedules') }}

),

hours as (

    select * from {{ ref('schedule_hours') }}

),

closures as (

    select * from {{ ref('schedule_closures') }}

),

-- every seeded schedule on every local date of the calendar's range
schedule_dates as (

    select
        schedules.schedule_id,
        schedules.time_zone,
        calendar.calendar_date as local_date
    from schedules
    cross join calendar
    where schedules.schedule_id <> 'default'

),

local_intervals as (

    select
        schedule_dates.schedule_id,
        schedule_dates.time_zone,
        schedule_dates.local_date,
        true as is_open,
        {{ ops_sla.minutes_of_day('hours.opens_at') }} as from_minute,
        {{ ops_sla.minutes_of_day('hours.closes_at') }} as until_minute
    from schedule_dates
    inner join hours
        on
            schedule_dates.schedule_id = hours.schedule_id
            and {{ ops_sla.iso_weekday('schedule_dates.local_date') }} = hours.iso_weekday
            and (hours.valid_from is null or schedule_dates.local_date >= hours.valid_from)
            and (hours.valid_to is null or schedule_dates.local_date < hours.valid_to)

    union all

    select
        schedule_dates.schedule_id,
        schedule_dates.time_zone,
        schedule_dates.local_date,
        false as is_open,
        {{ ops_sla.minutes_of_day('closures.closed_from') }} as from_minute,
        {{ ops_sla.minutes_of_day('closures.closed_until') }} as until_minute
    from schedule_dates
    inner join closures
        on
            schedule_dates.schedule_id = closures.schedule_id
            and schedule_dates.local_date = closures.closure_date

),

seeded_intervals as (

    select
        schedule_id,
        local_date,
        is_open,
        {{ ops_sla.local_to_instant(ops_sla.wall_time_on('local_date', 'from_minute'), 'time_zone') }} as starts_at,
        {{ ops_sla.local_to_instant(ops_sla.wall_time_on('local_date', 'until_minute'), 'time_zone') }} as ends_at
    from local_intervals
    where from_minute < until_minute

),

default_intervals as (

    select
        'default' as schedule_id,
        calendar_date as local_date,
        true as is_open,
        open_at as starts_at,
        close_at as ends_at
    from default_calendar
    where is_business_day

),

final as (

    select
        schedule_id,
        local_date,
        is_open,
        starts_at,
        ends_at
    from default_intervals

    union all

    select
        schedule_id,
        local_date,
        is_open,
        starts_at,
        ends_at
    from seeded_intervals

)

select * from final
