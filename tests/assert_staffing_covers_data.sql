-- The staffing schedule must have a row for every date on which cases arrived (team-local
-- intake dates, first to last, weekends and holidays included: the export schedules every
-- day). Without one, congestion_daily would show that date with no agents and no congestion
-- index - a gap nobody asked for. Each row returned is a missing date. Dates after the last
-- intake (up to the as-of date) may have no schedule yet.

{{ config(tags=['daily']) }}

with

cases as (

    select intake_date_local from {{ ref('int_cases') }}

),

staffing as (

    select schedule_date from {{ ref('stg_ops_export__staffing') }}

),

bounds as (

    select
        min(intake_date_local) as first_date,
        max(intake_date_local) as last_date
    from cases

),

intake_dates as (

    select cast(unnest(generate_series(first_date, last_date, interval 1 day)) as date) as calendar_date
    from bounds

),

missing as (

    select calendar_date from intake_dates
    except
    select schedule_date from staffing

)

select calendar_date as date_without_staffing
from missing
order by calendar_date
