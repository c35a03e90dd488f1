-- The business-time spine has 15-minute buckets: every opening and closing instant (and
-- every local midnight) must fall on a UTC quarter hour. Fails for business hours that
-- don't start/end on a quarter hour (vars business_day_open / business_day_close) or for a
-- zone with an unusual offset (var business_time_zone). One row per boundary that is off
-- (local midnight, opening, closing), naming the var, the dates and an example instant, and
-- what to do.

{{ config(store_failures=true) }}

with

calendar as (

    select
        calendar_date,
        is_business_day,
        day_start_at,
        open_at,
        close_at
    from {{ ref('int_business_calendar') }}

),

off_quarter as (

    select
        'local midnight' as boundary,
        calendar_date,
        day_start_at as boundary_at
    from calendar
    where epoch_us(day_start_at) % 900000000 <> 0
    union all
    select
        'opening' as boundary,
        calendar_date,
        open_at as boundary_at
    from calendar
    where is_business_day and epoch_us(open_at) % 900000000 <> 0
    union all
    select
        'closing' as boundary,
        calendar_date,
        close_at as boundary_at
    from calendar
    where is_business_day and epoch_us(close_at) % 900000000 <> 0

),

boundaries as (

    select
        boundary,
        count(*) as dates,
        min(calendar_date) as first_date,
        max(calendar_date) as last_date,
        arg_min(boundary_at, calendar_date) as first_boundary_at
    from off_quarter
    group by boundary

),

final as (

    select
        boundary,
        dates,
        first_date,
        last_date,
        case boundary
            when 'local midnight' then 'var business_time_zone ({{ var("business_time_zone") }})'
            when 'opening' then 'var business_day_open ({{ var("business_day_open") }})'
            else 'var business_day_close ({{ var("business_day_close") }})'
        end
        || ': the ' || boundary || ' of ' || dates
        || case boundary when 'local midnight' then ' calendar dates (' else ' business days (' end
        || cast(first_date as varchar)
        || case when last_date > first_date then '..' || cast(last_date as varchar) else '' end
        || ', e.g. ' || strftime(timezone('UTC', first_boundary_at), '%Y-%m-%d %H:%M:%S') || '+00'
        || ') is not on a UTC quarter hour, and the business-time spine has 15-minute buckets - '
        || case boundary
            when 'local midnight' then 'use a zone whose UTC offset is a whole number of quarter hours'
            else 'set business hours on quarter hours (HH:00, HH:15, HH:30 or HH:45) in dbt_project.yml vars'
        end as problem
    from boundaries

)

select * from final
