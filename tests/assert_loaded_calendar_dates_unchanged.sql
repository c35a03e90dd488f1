-- The delivered calendar may grow, not change: every date the warehouse has loaded
-- (int_calendar_as_loaded) is delivered again with the same holiday flag, name, country and
-- subdivision. Holidays decide the business minutes of every case, old ones too, and an
-- incremental run re-derives only the cases new data touches, so a changed or dropped date
-- needs a full build. A failing row names the date, what it was when loaded and what is
-- delivered now (what_changed) and what to do (what_to_do); its problem says all three. The run
-- stops before the business calendar, and everything built on it, is rebuilt (dbt skips the
-- models downstream of int_calendar_as_loaded). In a full build it passes by construction
-- (the loaded calendar is the delivered one).

{{ config(tags=['daily'], store_failures=true) }}

with

delivered as (

    select * from {{ ref('stg_ops_export__calendar') }}

),

loaded as (

    select * from {{ ref('int_calendar_as_loaded') }}

),

compared as (

    select
        loaded.calendar_date,
        delivered.calendar_date is null as is_dropped,
        coalesce(cast(loaded.is_holiday as varchar), 'null') as loaded_is_holiday,
        coalesce(cast(delivered.is_holiday as varchar), 'null') as delivered_is_holiday,
        coalesce(cast(loaded.holiday_name as varchar), 'null') as loaded_holiday_name,
        coalesce(cast(delivered.holiday_name as varchar), 'null') as delivered_holiday_name,
        coalesce(cast(loaded.holiday_country as varchar), 'null') as loaded_holiday_country,
        coalesce(cast(delivered.holiday_country as varchar), 'null') as delivered_holiday_country,
        coalesce(cast(loaded.holiday_subdiv as varchar), 'null') as loaded_holiday_subdiv,
        coalesce(cast(delivered.holiday_subdiv as varchar), 'null') as delivered_holiday_subdiv

    from loaded
    left join delivered
        on loaded.calendar_date = delivered.calendar_date

),

changes as (

    select
        calendar_date,
        is_dropped,
        case
            when loaded_is_holiday <> delivered_is_holiday
                then format('is_holiday {} -> {}', loaded_is_holiday, delivered_is_holiday)
        end as is_holiday_change,
        case
            when loaded_holiday_name <> delivered_holiday_name
                then format('holiday_name {} -> {}', loaded_holiday_name, delivered_holiday_name)
        end as holiday_name_change,
        case
            when loaded_holiday_country <> delivered_holiday_country
                then format('holiday_country {} -> {}', loaded_holiday_country, delivered_holiday_country)
        end as holiday_country_change,
        case
            when loaded_holiday_subdiv <> delivered_holiday_subdiv
                then format('holiday_subdiv {} -> {}', loaded_holiday_subdiv, delivered_holiday_subdiv)
        end as holiday_subdiv_change

    from compared

),

described as (

    select
        calendar_date,
        case
            when is_dropped then 'a loaded date is no longer delivered'
            else
                'delivered with other values than loaded: '
                || concat_ws(
                    ', ', is_holiday_change, holiday_name_change, holiday_country_change, holiday_subdiv_change
                )
        end as what_changed,
        'holidays decide the business minutes of every case: run a full build and publish it'
        || ' (`make build && make publish`)' as what_to_do,
        is_dropped,
        is_holiday_change,
        holiday_name_change,
        holiday_country_change,
        holiday_subdiv_change

    from changes

),

final as (

    select
        calendar_date,
        what_changed,
        what_to_do,
        'calendar_dim date ' || cast(calendar_date as varchar) || ': ' || what_changed || ' - ' || what_to_do as problem

    from described
    where
        is_dropped
        or coalesce(
            is_holiday_change, holiday_name_change, holiday_country_change, holiday_subdiv_change
        ) is not null

)

select * from final
order by calendar_date
