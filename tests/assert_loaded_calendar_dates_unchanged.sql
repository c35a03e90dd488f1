-- The delivered calendar may grow, not change: every date the warehouse has loaded
-- (int_calendar_as_loaded) is delivered again with the same holiday flag, name, country and
-- subdivision. Holidays decide the business minutes of every case, old ones too, and an
-- incremental run re-derives only the cases new data touches, so a changed or dropped date
-- needs a full build. A failing row names the date, what it was when loaded and what is
-- delivered now; the run stops before the business calendar, and everything built on it,
-- is rebuilt (dbt skips the models downstream of int_calendar_as_loaded). In a full build it
-- passes by construction (the loaded calendar is the delivered one).

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
        loaded.is_holiday as loaded_is_holiday,
        delivered.is_holiday as delivered_is_holiday,
        loaded.holiday_name as loaded_holiday_name,
        delivered.holiday_name as delivered_holiday_name,
        loaded.holiday_country as loaded_holiday_country,
        delivered.holiday_country as delivered_holiday_country,
        loaded.holiday_subdiv as loaded_holiday_subdiv,
        delivered.holiday_subdiv as delivered_holiday_subdiv

    from loaded
    left join delivered
        on loaded.calendar_date = delivered.calendar_date

),

final as (

    select
        calendar_date,
        case
            when is_dropped then 'a loaded date is no longer delivered'
            else 'delivered with other values than loaded: ' || concat_ws(', ',
                {%- for column in ['is_holiday', 'holiday_name', 'holiday_country', 'holiday_subdiv'] %}
                case when loaded_{{ column }} is distinct from delivered_{{ column }} then '{{ column }} '
                    || coalesce(cast(loaded_{{ column }} as varchar), 'null') || ' -> '
                    || coalesce(cast(delivered_{{ column }} as varchar), 'null') end{{ ',' if not loop.last }}
                {%- endfor %}
            )
        end as problem,
        'holidays decide the business minutes of every case: run a full build and publish it'
        || ' (`make build && make publish`)' as what_to_do

    from compared
    where
        is_dropped
        or loaded_is_holiday is distinct from delivered_is_holiday
        or loaded_holiday_name is distinct from delivered_holiday_name
        or loaded_holiday_country is distinct from delivered_holiday_country
        or loaded_holiday_subdiv is distinct from delivered_holiday_subdiv

)

select * from final
order by calendar_date
