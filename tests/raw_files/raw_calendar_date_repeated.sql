-- Dates calendar_dim delivers more than once (a file delivered twice, overlapping files): one
-- row per date, naming it and the file and row of each copy.

{{ config(store_failures=true, tags=['raw_files']) }}

with

calendar as (

    select * from {{ ref('raw_calendar_dim') }}

),

repeated as (

    select
        calendar_date,
        count(*) as copies,
        string_agg(source_file || ' row ' || source_row, ', ' order by source_file, source_row) as copy_rows
    from calendar
    where calendar_date is not null
    group by calendar_date
    having count(*) > 1

),

final as (

    select
        calendar_date,
        copies,
        copy_rows,
        'calendar_date ' || cast(calendar_date as varchar) || ' is delivered ' || copies || ' times ('
        || copy_rows || ') - deliver each date once (remove the duplicate file or rows)' as problem
    from repeated

)

select * from final
