with

source as (

    select * from {{ ref('raw_events_log') }}

),

renamed as (

    select
        source_file,
        source_row,
        event_id,
        trim(case_id) as case_id,
        upper(trim(status)) as status,
        nullif(trim(team_id), '') as team_id,
        cast(event_ts as {{ ops_sla.instant_type() }}) as event_at,
        cast(ingestion_ts as {{ ops_sla.instant_type() }}) as ingested_at,
        ingestion_date,
        loaded_at

    from source

)

select * from renamed
