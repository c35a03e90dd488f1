-- Which schedule each team works to, and from when: one row per team and period, team
-- `default` (the cases without a team_id) on schedule `default` (the vars) always. A row of
-- seed team_schedules applies from local midnight of its valid_from in its schedule's zone
-- until the team's next row; a team's first row applies since always, so a case of a known
-- team is never measured on no schedule (DECISIONLOG "Several business schedules").
-- Read by int_cases (the intake team's schedule and zone), int_case_ownership (the schedule
-- of each ownership segment) and the test assert_cases_use_their_team_time_zone.

{{ config(materialized='view') }}

with

team_schedules as (

    select * from {{ ref('team_schedules') }}

),

schedules as (

    select * from {{ ref('int_schedules') }}

),

seeded_periods as (

    select
        team_schedules.team_id,
        team_schedules.schedule_id,
        schedules.time_zone,
        team_schedules.valid_from,
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

default_period as (

    select
        'default' as team_id,
        schedule_id,
        time_zone,
        cast(null as date) as valid_from,
        cast(null as {{ ops_sla.instant_type() }}) as starts_at

    from schedules
    where schedule_id = 'default'

),

all_periods as (

    select * from seeded_periods
    union all
    select * from default_period

),

final as (

    select
        team_id,
        schedule_id,
        time_zone,
        starts_at,
        -- the next row by valid_from, as the row numbers above (two zones far apart could
        -- order consecutive local dates' midnights the other way round)
        lead(starts_at) over (partition by team_id order by valid_from nulls first) as ends_at

    from all_periods

)

select * from final
