-- Staffing plan as exported. Read whole every run, from the files raw_file_inventory listed and
-- checked at the start of the run (a bad file fails a test on the inventory, and this model is
-- skipped).

with

source as (

    {{ ops_sla.raw_rows('staffing_schedule') }}

),

files as (

    select filename
    from {{ ref('raw_file_inventory') }}
    where raw_table = 'staffing_schedule' and is_read

),

final as (

    select
        source.schedule_date,
        source.shift,
        source.planned_agents,
        source.shrinkage,
        source.effective_agents,
        {{ ops_sla.relative_source_file('source.filename') }} as source_file,
        source.file_row_number as source_row
    from source
    inner join files on source.filename = files.filename

)

select * from final
