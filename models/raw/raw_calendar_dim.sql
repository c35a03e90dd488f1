-- Holiday calendar as exported. Read whole every run, from the files raw_file_inventory listed and
-- checked at the start of the run (a bad file fails a test on the inventory, and this model is
-- skipped).

with

source as (

    {{ ops_sla.raw_rows('calendar_dim') }}

),

files as (

    select filename
    from {{ ref('raw_file_inventory') }}
    where raw_table = 'calendar_dim' and is_read

),

final as (

    select
        source.calendar_date,
        source.day_of_week,
        source.is_weekend,
        source.is_holiday,
        source.holiday_name,
        source.is_business_day,
        source.holiday_country,
        source.holiday_subdiv,
        {{ ops_sla.relative_source_file('source.filename') }} as source_file,
        source.file_row_number as source_row
    from source
    inner join files on source.filename = files.filename

)

select * from final
