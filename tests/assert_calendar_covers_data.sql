-- The business calendar must cover every intake and the as-of instant; outside it the
-- business-time macros return NULL, so an uncovered instant fails here instead of silently.
-- (An intake outside calendar_dim stops the build earlier, at raw_case_not_measurable; this
-- test holds for the calendar as loaded, and for var as_of too.) Each row returned names the
-- instant, its local date, where it comes from (the case's file and row; var as_of; or the
-- latest event ingestion or case intake of the data, with its file and row) and what to do.

{{ config(tags=['daily'], store_failures=true) }}

{%- set as_of = var('as_of', none) %}

with

schedules as (

    select * from {{ ref('int_schedules') }}

),

-- the instants every schedule covers (business time is NULL outside a schedule's range: a
-- schedule east or west of the business zone covers a few hours less of the calendar's dates)
schedule_range as (

    select
        max(covers_from) as covers_from,
        min(covers_until) as covers_until
    from {{ ref('int_business_time_index') }}

),

-- the dates the message names: calendar_dim as loaded
loaded_dates as (

    select
        min(calendar_date) as first_date,
        max(calendar_date) as last_date
    from {{ ref('int_calendar_as_loaded') }}

),

calendar_range as (

    select
        schedule_range.covers_from,
        schedule_range.covers_until,
        loaded_dates.first_date,
        loaded_dates.last_date
    from schedule_range
    cross join loaded_dates

),

instants as (

    select
        'case intake' as what,
        case_id,
        source_file,
        intake_at as instant
    from {{ ref('int_cases') }}
    union all
    select
        'data as of' as what,
        null as case_id,
        null as source_file,
        as_of_at as instant
    from {{ ref('int_data_as_of') }}

),

outside as (

    select
        instants.*,
        cast({{ ops_sla.instant_to_local('instants.instant') }} as date) as local_date,
        strftime(timezone('UTC', instants.instant), '%Y-%m-%d %H:%M:%S') || '+00' as instant_utc,
        calendar_range.covers_from,
        calendar_range.first_date,
        calendar_range.last_date
    from instants
    cross join calendar_range
    where
        instants.instant < calendar_range.covers_from
        or instants.instant >= calendar_range.covers_until

),

-- the dates calendar_dim must reach to cover each instant: its local date in every schedule's
-- zone (a schedule east of the business zone is a day later near midnight)
local_dates as (

    select distinct
        outside.instant,
        cast({{ ops_sla.instant_to_local('outside.instant', 'schedules.time_zone') }} as date) as local_date
    from outside
    cross join schedules

),

needed_dates as (

    select
        instant,
        min(local_date) as earliest_local_date,
        max(local_date) as latest_local_date
    from local_dates
    group by instant

),

-- the row of each case named (int_cases keeps the file of the copy it measures)
case_rows as (

    select
        staged.case_id,
        coalesce(
            min(staged.source_row) filter (where staged.intake_at = outside.instant), min(staged.source_row)
        ) as source_row
    from {{ ref('stg_ops_export__cases') }} as staged
    inner join outside
        on
            staged.case_id = outside.case_id
            and staged.source_file = outside.source_file
    group by staged.case_id

),

-- where the data's as-of instant comes from when it is outside and no var sets it: the latest
-- clean event ingestion or case intake
as_of_instant as (

    select outside.instant
    from outside
    where outside.what = 'data as of'

),

as_of_sources as (

    select
        events.source_file,
        events.source_row
    from {{ ref('int_events_clean') }} as events
    inner join as_of_instant
        on events.ingested_at = as_of_instant.instant
    union all
    select
        staged.source_file,
        staged.source_row
    from {{ ref('stg_ops_export__cases') }} as staged
    inner join as_of_instant
        on staged.intake_at = as_of_instant.instant

),

as_of_rows as (

    select min(source_file || ' row ' || source_row) as source_row_label
    from as_of_sources

),

described as (

    select
        outside.*,
        case_rows.source_row,
        ' (local date ' || cast(outside.local_date as varchar) || ' in {{ var("business_time_zone") }})'
        || ', outside the business calendar (calendar_dim as loaded: ' || cast(outside.first_date as varchar)
        || '..' || cast(outside.last_date as varchar) || ') - ' as outside_text,
        -- (an instant inside the loaded dates but past a schedule's range needs one date more)
        'deliver calendar_dim rows '
        || case
            when outside.instant < outside.covers_from
                then 'from ' || cast(least(needed_dates.earliest_local_date, outside.first_date - 1) as varchar)
            else 'up to ' || cast(greatest(needed_dates.latest_local_date, outside.last_date + 1) as varchar)
        end
        || ' (then `make build`)' as extend_text,
        {{ 'true' if as_of else 'false' }} as as_of_is_var,
        {{ ops_sla.sql_literal(as_of | string if as_of else '') }} as as_of_var,
        as_of_rows.source_row_label as as_of_source
    from outside
    inner join needed_dates
        on outside.instant = needed_dates.instant
    left join case_rows
        on outside.case_id = case_rows.case_id
    cross join as_of_rows

),

final as (

    select
        what,
        case_id,
        source_file,
        source_row,
        instant_utc,
        local_date,
        first_date as calendar_first_date,
        last_date as calendar_last_date,
        case
            when what = 'case intake'
                then
                    source_file || ' row ' || coalesce(cast(source_row as varchar), '?') || ': case ' || case_id
                    || ' has intake_ts ' || instant_utc || outside_text || extend_text
                    || ', or fix the case''s intake_ts in the export and re-deliver the file'
            when as_of_is_var
                then
                    'var as_of (' || as_of_var || ') is ' || instant_utc || outside_text
                    || 'set var as_of inside the calendar, or ' || extend_text
            else
                'the data''s as-of instant (its latest event ingestion or case intake'
                || coalesce(': ' || as_of_source, '') || ') is ' || instant_utc || outside_text || extend_text
                || ', or fix the row with that instant in the export and re-deliver the file'
        end as problem
    from described

)

select * from final
