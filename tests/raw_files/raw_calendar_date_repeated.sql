-- Dates calendar_dim delivers more than once (a file delivered twice, overlapping files): one
-- row per copy, naming the file, the row and the date.

{{ config(store_failures=true, tags=['raw_files']) }}

with

calendar as (

    select * from {{ ref('raw_calendar_dim') }}

),

repeated as (

    select
        calendar_date,
        source_file,
        source_row,
        count(*) over (partition by calendar_date) as copies
    from calendar
    where calendar_date is not null

),

final as (

    select
        source_file,
        source_row,
        calendar_date,
        source_file || ' row ' || source_row || ': calendar_date ' || cast(calendar_date as varchar)
        || ' is delivered ' || copies || ' times - deliver each date once (remove the duplicate file or rows)'
            as problem
    from repeated
    where copies > 1

)

select * from final
