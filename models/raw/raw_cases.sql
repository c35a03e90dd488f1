-- Cases as exported, loaded into the warehouse with the file each row came from.
-- Incremental: a file is loaded once; later runs append only files not seen before.

{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}

with

source as (

    select * from {{ source('ops_export', 'cases') }}

),

final as (

    select
        case_id,
        intake_ts,
        case_type,
        tier,
        team_tz,
        intake_date,
        {{ ops_sla.relative_source_file('filename') }} as source_file,
        {{ ops_sla.run_marker() }} as loaded_at

    from source
    {%- if is_incremental() %}
    where filename not in (select distinct {{ ops_sla.absolute_source_file('source_file') }} from {{ this }})
    {%- endif %}

)

select * from final
