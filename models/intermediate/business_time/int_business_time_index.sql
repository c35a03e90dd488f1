-- The spine packed into one row of lists, so the business-time macros map any instant to
-- its business ordinal with two O(1) list look-ups instead of a join per timestamp.
--   ordinals[b + 1]                 business seconds before bucket b (b = 0 .. bucket_count;
--                                   the extra last entry is the total)
--   business_bucket_numbers[k + 1]  bucket number of the k-th business bucket (inverse)

with

buckets as (

    select * from {{ ref('int_business_time_buckets') }}

),

final as (

    select
        epoch_us(min(bucket_start_at)) as first_bucket_us,
        count(*) as bucket_count,
        cast(sum(cast(is_business as integer)) as bigint) as business_bucket_count,
        list_append(
            list(business_seconds_before order by bucket_number),
            cast(900 * sum(cast(is_business as integer)) as bigint)
        ) as ordinals,
        list(bucket_number order by bucket_number) filter (where is_business) as business_bucket_numbers,
        min(bucket_start_at) as covers_from,
        max(bucket_start_at) + interval 15 minute as covers_until

    from buckets

)

select * from final
