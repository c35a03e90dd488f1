with

source as (

    select * from {{ ref('raw_staffing_schedule') }}

),

renamed as (

    select
        cast(schedule_date as date) as schedule_date,
        upper(trim(shift)) as shift,
        cast(planned_agents as integer) as planned_agents,
        cast(shrinkage as double) as shrinkage,
        cast(effective_agents as double) as effective_agents,
        source_file,
        source_row

    from source

)

select * from renamed
