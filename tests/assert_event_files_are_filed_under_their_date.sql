-- An events file is filed under the date its rows were ingested (its ingestion_date folder).
-- A row ingested after the day following that date is a bad stamp and is quarantined
-- (TS_AFTER_FILE_DATE); but when most rows of a file are, the file is misfiled - a lost
-- delivery sent days later with its real ingestion times, an export filed under its first
-- day - and quarantining it whole would quietly take its events out of the SLA numbers.
-- Each row returned names such a file. A daily run checks the files it loaded and the files
-- it re-classified rows of: a file whose rows were unknown-case events when it was loaded
-- (its cases a day late) is judged again once its cases arrive.

-- depends_on: {{ ref('raw_events_log') }}

{{ config(tags=['daily'], store_failures=true) }}

with

classified as (

    select
        source_file,
        ingestion_date,
        reason_code,
        cast({{ ops_sla.instant_to_local('coalesce(ingested_at, recorded_event_at)') }} as date) as ingested_on
    from {{ ref('int_events_classified') }}
    {%- if ops_sla.is_daily_run() %}
    {%- set since = ops_sla.last_complete_build_at() %}
    where source_file in (
        select source_file from {{ ref('raw_events_log') }}
        where loaded_at > {{ since }}
        union
        select source_file from {{ ref('int_events_classified') }}
        where classified_at > {{ since }}
    )
    {%- endif %}

),

files as (

    select
        source_file,
        any_value(ingestion_date) as ingestion_date,
        count(*) as file_rows,
        count(*) filter (where reason_code = 'TS_AFTER_FILE_DATE') as rows_after_file_date,
        min(ingested_on) filter (where reason_code = 'TS_AFTER_FILE_DATE') as first_late_date,
        max(ingested_on) filter (where reason_code = 'TS_AFTER_FILE_DATE') as last_late_date
    from classified
    group by source_file

),

final as (

    select
        source_file,
        ingestion_date,
        file_rows,
        rows_after_file_date,
        first_late_date,
        last_late_date,
        source_file || ': ' || rows_after_file_date || ' of its ' || file_rows || ' rows were ingested after'
        || ' the day following its folder''s ingestion_date - the file is filed under the wrong date: move'
        || ' it to the folder of the date its rows were ingested (they were ingested on '
        || cast(first_late_date as varchar)
        || case when last_late_date > first_late_date then '..' || cast(last_late_date as varchar) else '' end
        || ' in {{ var("business_time_zone") }}, the folder says ' || cast(ingestion_date as varchar)
        || '), or re-export it there' as problem
    from files
    where rows_after_file_date * 2 > file_rows

)

select * from final
