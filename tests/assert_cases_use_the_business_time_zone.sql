-- The business calendar is built for one team zone (var business_time_zone); a case
-- owned by a team in another zone would be measured on the wrong clock. Input validation on
-- every delivered case row (the daily run checks it too): each row returned names the file,
-- the row and the zone, and what to do.

{{ config(tags=['daily'], store_failures=true) }}

{%- set business_zone = var("business_time_zone") %}

with

cases as (

    select * from {{ ref('stg_ops_export__cases') }}

),

other_zones as (

    select
        source_file,
        source_row,
        case_id,
        team_tz
    from cases
    where team_tz is distinct from {{ ops_sla.sql_literal(business_zone) }}

),

final as (

    select
        source_file,
        source_row,
        case_id,
        team_tz,
        {{ ops_sla.sql_literal(business_zone) }} as business_time_zone,
        source_file || ' row ' || source_row || ': case ' || coalesce(case_id, 'NULL') || ' has team_tz '''
        || coalesce(team_tz, 'NULL') || ''', not the business time zone ('
        || {{ ops_sla.sql_literal(business_zone) }} || ', var business_time_zone) - the SLA'
        || ' clocks run in one zone: fix team_tz in the export and re-deliver the file, or set var'
        || ' business_time_zone (dbt_project.yml) if that is the team''s zone' as problem
    from other_zones

)

select * from final
