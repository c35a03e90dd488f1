with

source as (

    select * from {{ ref('raw_cases') }}

),

renamed as (

    select
        trim(case_id) as case_id,
        cast(intake_ts as {{ ops_sla.instant_type() }}) as intake_at,
        upper(trim(case_type)) as case_type,
        upper(trim(tier)) as tier,
        trim(team_tz) as team_tz,
        nullif(trim(team_id), '') as team_id,
        intake_date,
        source_file,
        source_row,
        loaded_at

    from source

)

select * from renamed
