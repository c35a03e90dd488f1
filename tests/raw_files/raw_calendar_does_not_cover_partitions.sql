-- calendar_dim must cover every partition date of cases and events_log: outside it an instant
-- has no business time. One row per partitioned table it does not cover, naming both ranges.

{{ config(store_failures=true, tags=['raw_files']) }}

with

inventory as (

    select * from {{ ref('raw_file_inventory') }}

),

calendar_dates as (

    select calendar_date from {{ ref('raw_calendar_dim') }}

),

calendar as (

    select
        min(calendar_date) as first_date,
        max(calendar_date) as last_date
    from calendar_dates

),

partitions as (

    select
        raw_table,
        min(partition_date) as first_date,
        max(partition_date) as last_date
    from inventory
    where is_read and partition_date is not null
    group by raw_table

),

final as (

    select
        partitions.raw_table,
        'calendar_dim covers ' || coalesce(cast(calendar.first_date as varchar), '(no dates)') || '..'
        || coalesce(cast(calendar.last_date as varchar), '') || ' but the ' || partitions.raw_table
        || ' partitions run ' || cast(partitions.first_date as varchar) || '..'
        || cast(partitions.last_date as varchar)
        || ': extend calendar_dim to cover every date of the data' as problem
    from partitions
    cross join calendar
    where
        calendar.first_date is null
        or partitions.first_date < calendar.first_date
        or partitions.last_date > calendar.last_date

)

select * from final
