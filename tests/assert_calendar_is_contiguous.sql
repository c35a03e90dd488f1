-- calendar_dim must have one row per date with no gaps: a missing date would silently
-- count as non-business time. Each row returned is a gap, named with the rows around it.

{{ config(store_failures=true) }}

with

calendar as (

    select * from {{ ref('raw_calendar_dim') }}

),

dates as (

    select
        calendar_date,
        source_file,
        source_row,
        lead(calendar_date) over (order by calendar_date) as next_date
    from calendar
    where calendar_date is not null

),

final as (

    select
        calendar_date,
        next_date,
        source_file || ' row ' || source_row || ': calendar_dim has no date between '
        || cast(calendar_date as varchar) || ' and ' || cast(next_date as varchar)
        || ' (missing ' || cast(calendar_date + 1 as varchar)
        || case when next_date > calendar_date + 2 then '..' || cast(next_date - 1 as varchar) else '' end
        || ') - deliver a calendar_dim row for every date' as problem
    from dates
    where
        next_date is not null
        and next_date > calendar_date + 1

)

select * from final
