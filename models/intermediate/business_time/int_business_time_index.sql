-- Each schedule's spine packed into one row of lists, so the business-time macros map any
-- instant to its business ordinal with two O(1) list look-ups instead of a join per timestamp.
--   ordinals[b + 1]                 business seconds before bucket b (b = 0 .. bucket_count;
--                                   the extra last entry is the total)
--   business_bucket_numbers[k + 1]  bucket number of the k-th business bucket (inverse)
-- The case clocks read all schedules' lists concatenated in schedule_number order: a
-- schedule's part starts after ordinal_base and bucket_number_base elements (the lengths of
-- the lists of the schedules before it), so a case row carries only these numbers, never a
-- list (a join carrying the lists into every row of a hash table ran out of memory).

with

buckets as (

    select * from {{ ref('int_business_time_buckets') }}

),

schedules as (

    select * from {{ ref('int_schedules') }}

),

per_schedule as (

    select
        schedule_id,
        {{ ops_sla.epoch_us('min(bucket_start_at)') }} as first_bucket_us,
        count(*) as bucket_count,
        cast(sum(cast(is_business as integer)) as bigint) as business_bucket_count,
        {{ ops_sla.list_append_item(
            ops_sla.ordered_list('business_seconds_before', ['bucket_number']),
            'cast(900 * sum(cast(is_business as integer)) as bigint)'
        ) }} as ordinals,
        coalesce(
            {{ ops_sla.ordered_list('bucket_number', ['bucket_number'], where='is_business') }},
            {{ ops_sla.empty_list('bigint') }}
        ) as business_bucket_numbers,
        min(bucket_start_at) as covers_from,
        max(bucket_start_at) + interval 15 minute as covers_until

    from buckets
    group by schedule_id

),

final as (

    select
        per_schedule.schedule_id,
        schedules.schedule_number,
        per_schedule.first_bucket_us,
        per_schedule.bucket_count,
        per_schedule.business_bucket_count,
        cast(coalesce(sum(per_schedule.bucket_count + 1) over preceding_schedules, 0) as bigint) as ordinal_base,
        cast(coalesce(sum(per_schedule.business_bucket_count) over preceding_schedules, 0) as bigint)
            as bucket_number_base,
        per_schedule.ordinals,
        per_schedule.business_bucket_numbers,
        per_schedule.covers_from,
        per_schedule.covers_until

    from per_schedule
    inner join schedules
        on per_schedule.schedule_id = schedules.schedule_id
    window preceding_schedules as (
        order by schedules.schedule_number rows between unbounded preceding and 1 preceding
    )

)

select * from final
order by schedule_number
