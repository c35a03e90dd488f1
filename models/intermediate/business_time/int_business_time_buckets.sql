-- The compressed business-time spine: one row per 15-minute UTC bucket over the calendar's
-- range. Business boundaries (local quarter hours) and every real UTC offset are whole
-- quarter hours, so each bucket is entirely business time or entirely not.
-- business_seconds_before is the business-time ordinal at the bucket's start.
-- A view: read once per build, by int_business_time_index (the table the macros read), and
-- by its tests.

{{ config(materialized='view') }}

{% set bucket_us = 900000000 %}

with

calendar as (

    select * from {{ ref('int_business_calendar') }}

),

bounds as (

    select
        epoch_us(min(day_start_at)) as first_us,
        epoch_us(max(day_end_at)) as end_us

    from calendar

),

all_buckets as (

    select unnest(range(first_us, end_us, {{ bucket_us }})) as bucket_start_us

    from bounds

),

business_buckets as (

    select
        calendar_date as business_date,
        unnest(range(epoch_us(open_at), epoch_us(close_at), {{ bucket_us }})) as bucket_start_us

    from calendar
    where is_business_day

),

flagged as (

    select
        all_buckets.bucket_start_us,
        business_buckets.business_date,
        business_buckets.bucket_start_us is not null as is_business

    from all_buckets
    left join business_buckets
        on all_buckets.bucket_start_us = business_buckets.bucket_start_us

),

final as (

    select
        cast((flagged.bucket_start_us - bounds.first_us) // {{ bucket_us }} as bigint) as bucket_number,
        make_timestamptz(flagged.bucket_start_us) as bucket_start_at,
        flagged.is_business,
        flagged.business_date,
        cast(900 * coalesce(
            sum(cast(flagged.is_business as bigint)) over (
                order by flagged.bucket_start_us rows between unbounded preceding and 1 preceding
            ),
            0
        ) as bigint) as business_seconds_before

    from flagged
    cross join bounds

)

select * from final
