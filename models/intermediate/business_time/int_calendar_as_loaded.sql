-- The calendar dates as the warehouse first loaded them: a full build loads the delivered
-- calendar; an incremental run appends only the dates it has not loaded yet (the export
-- adds next year's dates on 1 January). The business calendar is built from these rows, so
-- a loaded date is never changed by an incremental run: holidays decide the business
-- minutes of every case, old ones too, and an incremental run re-derives only some cases.
-- The test assert_loaded_calendar_dates_unchanged compares the delivered calendar with
-- these rows and stops the run (naming the dates) when a loaded date was changed or dropped.

{{ config(materialized=ops_sla.incremental_or_table(), incremental_strategy='append') }}

with

delivered as (

    select * from {{ ref('stg_ops_export__calendar') }}

),

final as (

    select
        calendar_date,
        is_holiday,
        holiday_name,
        holiday_country,
        holiday_subdiv

    from delivered
    {%- if is_incremental() %}
    where calendar_date not in (select calendar_date from {{ this }})
    {%- endif %}

)

select * from final
order by calendar_date
