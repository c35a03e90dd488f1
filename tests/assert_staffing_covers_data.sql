-- The staffing schedule must have a row for every business day on which cases arrived
-- (team-local dates, from the first intake to the last delivered one: no later than the
-- newest cases folder's date). Without one, congestion_daily would show that business day
-- with no agents and no congestion index - a gap nobody asked for. Weekends and holidays
-- may have no schedule (a team that does not work them has none), and so may later dates:
-- an intake just after midnight, filed in the day's folder, may precede its day's schedule.
-- Each row returned is a missing date, with what to do.

{{ config(tags=['daily'], store_failures=true) }}

with

cases as (

    select intake_date_local from {{ ref('int_cases') }}

),

case_folders as (

    select intake_date as folder_date from {{ ref('stg_ops_export__cases') }}

),

calendar as (

    select
        calendar_date,
        is_business_day
    from {{ ref('int_business_calendar') }}

),

staffing as (

    select schedule_date from {{ ref('stg_ops_export__staffing') }}

),

bounds as (

    select
        (select min(intake_date_local) from cases) as first_date,
        least(
            (select max(intake_date_local) from cases),
            (select max(folder_date) from case_folders)
        ) as last_date

),

business_days as (

    select calendar.calendar_date
    from calendar
    inner join bounds
        on calendar.calendar_date between bounds.first_date and bounds.last_date
    where calendar.is_business_day

),

missing as (

    select calendar_date from business_days
    except
    select schedule_date from staffing

),

final as (

    select
        calendar_date as business_day_without_staffing,
        'staffing_schedule has no row for business day ' || cast(calendar_date as varchar)
        || ', on which cases arrived - add the day''s shifts to the staffing export (the files in'
        || ' staffing_schedule/) and re-deliver it' as problem
    from missing

)

select * from final
order by business_day_without_staffing
