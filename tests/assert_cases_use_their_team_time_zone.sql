-- A case's team_tz must be the zone its clocks run in: the zone of its team's schedule at
-- intake (seed team_schedules -> schedules), or var business_time_zone for a case without a
-- team (the `default` schedule). Another zone means the export and the configuration disagree
-- about the team, and the case would be measured on the wrong clock. Input validation on
-- every delivered case row (the daily run checks it too): each row returned names the file,
-- the row and both zones, and what to do. (A team missing from team_schedules is named by
-- the test value_in_seed on cases.team_id instead.)

{{ config(tags=['daily'], store_failures=true) }}

{%- set business_zone = var("business_time_zone") %}

with

cases as (

    select * from {{ ref('stg_ops_export__cases') }}

),

team_schedules as (

    select * from {{ ref('team_schedules') }}

),

schedules as (

    select * from {{ ref('schedules') }}

),

team_zones as (

    select
        team_schedules.team_id,
        schedules.time_zone,
        -- a team's first row applies since always (as in int_case_ownership)
        case
            when
                row_number() over (
                    partition by team_schedules.team_id order by team_schedules.valid_from nulls first
                ) > 1
                then {{ ops_sla.local_to_instant('team_schedules.valid_from', 'schedules.time_zone') }}
        end as starts_at
    from team_schedules
    inner join schedules
        on team_schedules.schedule_id = schedules.schedule_id

),

expected as (

    select
        cases.source_file,
        cases.source_row,
        cases.case_id,
        cases.team_id,
        cases.team_tz,
        case
            when cases.team_id is null then {{ ops_sla.sql_literal(business_zone) }}
            else arg_max(team_zones.time_zone, coalesce(team_zones.starts_at, '-infinity'::timestamptz))
        end as expected_zone,
        cases.team_id is not null and count(team_zones.team_id) = 0 as is_team_unknown

    from cases
    left join team_zones
        on
            cases.team_id = team_zones.team_id
            and (team_zones.starts_at is null or cases.intake_at >= team_zones.starts_at)
    group by cases.source_file, cases.source_row, cases.case_id, cases.team_id, cases.team_tz

),

final as (

    select
        source_file,
        source_row,
        case_id,
        team_id,
        team_tz,
        expected_zone,
        source_file || ' row ' || source_row || ': case ' || coalesce(case_id, 'NULL') || ' has team_tz '''
        || coalesce(team_tz, 'NULL') || ''', but its clocks run in ' || expected_zone
        || case
            when team_id is null
                then
                    ' (var business_time_zone: the case has no team_id) - fix team_tz in the export and'
                    || ' re-deliver the file, give the case its team_id, or set var business_time_zone'
                    || ' (dbt_project.yml) if that is the team''s zone'
            else
                ' (the zone of team ' || team_id || '''s schedule at intake, seeds team_schedules and'
                || ' schedules) - fix team_tz in the export and re-deliver the file, or the team''s'
                || ' schedule in the seeds'
        end as problem
    from expected
    where not is_team_unknown and team_tz is distinct from expected_zone

)

select * from final
