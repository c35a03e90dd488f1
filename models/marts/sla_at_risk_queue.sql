-- The at-risk queue: every open case with its next breach across its running SLA clocks (the
-- earliest breach instant, projected or already passed), the business minutes to it, its
-- status and current owner, in breach order and banded: already_breached,
-- within_2_business_hours, today (before the next midnight on the owner's wall clock) or
-- later (DECISIONLOG "Live SLA state"). A clock that has stopped (met, or breached at a first
-- touch) is past acting on and not in the queue; a clock paused within its target has no breach ahead.

with

clocks as (

    select * from {{ ref('int_case_sla_clocks') }}

),

cases as (

    select * from {{ ref('int_cases') }}

),

ownership as (

    select * from {{ ref('int_case_ownership') }}

),

team_schedule_periods as (

    select * from {{ ref('int_team_schedule_periods') }}

),

run_constants as (

    select as_of_at from {{ ref('int_data_as_of') }}

),

-- each team's zone at the as-of instant: the schedule it works to then
team_zones as (

    select
        team_schedule_periods.team_id,
        team_schedule_periods.time_zone

    from team_schedule_periods
    cross join run_constants
    where {{ ops_sla.in_period('run_constants.as_of_at', 'team_schedule_periods') }}

),

ranked_breaches as (

    select
        *,
        row_number() over (partition by case_id order by breach_at, clock_order) as breach_rank

    from clocks
    where
        case_status = 'open'
        and clock_status in ('running', 'running_past_target', 'paused')
        and breach_at is not null

),

next_breach as (

    select *

    from ranked_breaches
    where breach_rank = 1

),

banded as (

    select
        next_breach.*,
        run_constants.as_of_at,
        team_zones.time_zone as owner_time_zone,
        ownership.intake_time_zone,
        case
            when next_breach.is_breached then 'already_breached'
            when next_breach.remaining_business_minutes <= 120 then 'within_2_business_hours'
            when next_breach.breach_at < {{ ops_sla.local_to_instant(
                'cast(' ~ ops_sla.instant_to_local('run_constants.as_of_at', 'team_zones.time_zone') ~ ' as date) + 1',
                'team_zones.time_zone'
            ) }} then 'today'
            else 'later'
        end as risk_band

    from next_breach
    inner join ownership
        on next_breach.case_id = ownership.case_id
    left join team_zones
        on next_breach.owner_team_id = team_zones.team_id
    cross join run_constants

),

final as (

    select
        cast(row_number() over (order by banded.breach_at, banded.case_id) as bigint) as queue_position,
        banded.case_id,
        cases.tier,
        cases.case_type,
        banded.owner_team_id,
        banded.owner_time_zone,
        banded.case_status,
        banded.sla_clock as next_breach_sla_clock,
        banded.clock_status,
        banded.is_breached,
        banded.is_breach_projected,
        banded.risk_band,
        case banded.risk_band
            when 'already_breached' then 1 when 'within_2_business_hours' then 2 when 'today' then 3 else 4
        end as risk_band_order,
        banded.remaining_business_minutes as business_minutes_to_breach,
        banded.percent_of_target_elapsed,
        {{ ops_sla.instant_to_local('banded.breach_at', "'UTC'") }} as breach_ts_utc,
        {{ ops_sla.instant_to_local('banded.breach_at', 'banded.owner_time_zone') }} as breach_ts_owner_local,
        {{ ops_sla.instant_to_local('banded.breach_at', 'banded.intake_time_zone') }} as breach_ts_intake_team_local,
        {{ ops_sla.instant_to_local('banded.as_of_at', "'UTC'") }} as as_of_ts_utc

    from banded
    inner join cases
        on banded.case_id = cases.case_id

)

select * from final
order by queue_position
