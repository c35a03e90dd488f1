with

source as (

    select * from {{ ref('raw_calendar_dim') }}

),

renamed as (

    select
        cast(calendar_date as date) as calendar_date,
        cast(is_holiday as boolean) as is_holiday,
        nullif(trim(holiday_name), '') as holiday_name,
        upper(trim(holiday_country)) as holiday_country,
        nullif(upper(trim(holiday_subdiv)), '') as holiday_subdiv

    from source

)

select * from renamed
