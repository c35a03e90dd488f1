-- The compressed business-time spine of every schedule: one row per schedule and 15-minute
-- UTC bucket over the calendar's range (local midnight starting its first date to local
-- midnight ending its last, in the schedule's zone). Open and closed intervals
-- (int_schedule_intervals) begin and end on local quarter hours, and every real UTC offset
-- is whole quarter hours, so each bucket is entirely business time or entirely not: a
-- bucket is business time when an open interval covers it and no closure does (overlapping
-- open intervals count once). business_seconds_before is the schedule's business-time
-- ordinal at the bucket's start.
-- A view: read once per build, by int_business_time_index (the table the macros read), and
-- by its tests.

{{ config(materialized='view') }}

{% set bucket_us = 900000000 %}

with

calendar as (

    select * from {{ ref('int_calendar_as_loaded') }}

),

schedules as (

    select * from {{ ref('int_schedules') }}

),

intervals as (

    select * from {{ ref('int_schedule_intervals') }}

),

bounds as (

    select
        schedules.schedule_id,
        {{ ops_sla.epoch_us(ops_sla.local_to_instant('min(calendar.calendar_date)', 'schedules.time_zone')) }}
            as first_us,
        {{ ops_sla.epoch_us(ops_sla.local_to_instant('max(calendar.calendar_date) + 1', 'schedules.time_zone')) }}
            as end_us

    from schedules
    cross join calendar
    group by schedules.schedule_id, schedules.time_zone

),

all_buckets as (

    select
        schedule_id,
        {{ ops_sla.range_rows('first_us', 'end_us', bucket_us) }} as bucket_start_us

    from bounds

),

interval_buckets as (

    select
        schedule_id,
        local_date,
        is_open,
        {{ ops_sla.range_rows(ops_sla.epoch_us('starts_at'), ops_sla.epoch_us('ends_at'), bucket_us) }}
            as bucket_start_us

    from intervals

),

business_buckets as (

    select
        schedule_id,
        bucket_start_us,
        min(local_date) as business_date

    from interval_buckets
    group by schedule_id, bucket_start_us
    having bool_or(is_open) and not bool_or(not is_open)

),

flagged as (

    select
        all_buckets.schedule_id,
        all_buckets.bucket_start_us,
        business_buckets.business_date,
        business_buckets.bucket_start_us is not null as is_business

    from all_buckets
    left join business_buckets
        on
            all_buckets.schedule_id = business_buckets.schedule_id
            and all_buckets.bucket_start_us = business_buckets.bucket_start_us

),

final as (

    select
        flagged.schedule_id,
        cast({{ ops_sla.int_div('flagged.bucket_start_us - bounds.first_us', bucket_us) }} as bigint) as bucket_number,
        {{ ops_sla.instant_from_epoch_us('flagged.bucket_start_us') }} as bucket_start_at,
        flagged.is_business,
        flagged.business_date,
        cast(900 * coalesce(
            sum(cast(flagged.is_business as bigint)) over (
                partition by flagged.schedule_id
                order by flagged.bucket_start_us rows between unbounded preceding and 1 preceding
            ),
            0
        ) as bigint) as business_seconds_before

    from flagged
    inner join bounds
        on flagged.schedule_id = bounds.schedule_id

)

select * from final
