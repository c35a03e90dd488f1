-- Every business schedule, one row each: `default` (the vars business_time_zone,
-- business_day_open/close, business_weekdays and the calendar_dim's holidays) and the rows of
-- seed schedules. schedule_number orders them (default first): the business-time macros find
-- a schedule's part of the concatenated look-up lists by it (int_business_time_index).

{{ config(materialized='view') }}

with

seeded as (

    select * from {{ ref('schedules') }}

),

all_schedules as (

    select
        'default' as schedule_id,
        {{ ops_sla.sql_literal(var('business_time_zone')) }} as time_zone,
        'the vars business_time_zone, business_day_open/close, business_weekdays and calendar_dim' as description

    union all

    select
        schedule_id,
        time_zone,
        description
    from seeded

),

final as (

    select
        schedule_id,
        time_zone,
        description,
        cast(row_number() over (order by schedule_id <> 'default', schedule_id) as integer) as schedule_number

    from all_schedules

)

select * from final
