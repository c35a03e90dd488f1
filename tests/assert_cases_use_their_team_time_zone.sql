-- A case's team_tz must be the zone its clocks run in: the zone of its team's schedule at
-- intake (seed team_schedules -> schedules), or var business_time_zone for a case without a
-- team (the `default` schedule). Another zone means the export and the configuration disagree
-- about the team, and the case would be measured on the wrong clock. Input validation on
-- every delivered case row (the daily run checks it too): each row returned names the file,
-- the row and both zones, and what to do. The check hangs on int_team_schedule_periods and the
-- staged cases, so its failure stops int_cases (which reads both) and everything measured
-- after it. (A team missing from team_schedules is named by
-- the test value_in_seed on cases.team_id instead.)

{{ config(tags=['daily'], store_failures=true) }}

with

cases as (

    select * from {{ ref('stg_ops_export__cases') }}

),

team_periods as (

    select * from {{ ref('int_team_schedule_periods') }}

),

-- every delivered row (each copy of a case), with the zone of its team's schedule at intake
expected as (

    select
        cases.source_file,
        cases.source_row,
        cases.case_id,
        cases.team_id,
        cases.team_tz,
        team_periods.time_zone as expected_zone

    from cases
    inner join team_periods
        on
            coalesce(cases.team_id, 'default') = team_periods.team_id
            and {{ ops_sla.in_period('cases.intake_at', 'team_periods') }}

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
    where team_tz is distinct from expected_zone

)

select * from final
