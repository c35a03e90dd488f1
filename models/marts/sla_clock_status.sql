-- Live SLA state, one row per case x SLA clock (sla_b, sla_a_including_wait,
-- sla_a_paused_wait) as of the as-of instant (data_as_of): status, business minutes elapsed
-- and remaining, percent of target, the breach instant (actual, or projected under the
-- schedules owning the case) and the 50 / 75 / 100 % instants (DECISIONLOG "Live SLA state").
-- Timestamps are naive: *_ts_utc in UTC, *_ts_intake_team_local on the intake team's wall
-- clock (as case_sla's). A view over int_case_sla_clocks (re-derived for every open case by
-- each run).

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

-- the as-of instant of this run: a closed case's clock rows were derived by an earlier run
run_constants as (

    select as_of_at from {{ ref('int_data_as_of') }}

),

final as (

    select
        clocks.case_id,
        clocks.sla_clock,
        clocks.clock_order,
        cases.tier,
        cases.case_type,
        clocks.case_status,
        clocks.clock_status,
        clocks.is_breached,
        ownership.intake_team_id,
        clocks.owner_team_id,
        clocks.target_business_minutes,
        clocks.elapsed_business_minutes,
        clocks.remaining_business_minutes,
        clocks.percent_of_target_elapsed,
        clocks.is_breach_projected,
        clocks.is_target_50_pct_projected,
        clocks.is_target_75_pct_projected,
        clocks.warning_lead_business_minutes,
        {%- for column, instant in [
            ('as_of', 'run_constants.as_of_at'), ('intake', 'clocks.intake_at'), ('breach', 'clocks.breach_at'),
            ('target_50_pct', 'clocks.target_50_pct_at'), ('target_75_pct', 'clocks.target_75_pct_at'),
            ('target_100_pct', 'clocks.target_100_pct_at')] %}
            {{ ops_sla.instant_to_local(instant, "'UTC'") }} as {{ column }}_ts_utc,
            {{ ops_sla.instant_to_local(instant, 'ownership.intake_time_zone') }} as {{ column }}_ts_intake_team_local,
        {%- endfor %}
        {{ ops_sla.instant_to_local('clocks.refreshed_at', "'UTC'") }} as refreshed_at_utc

    from clocks
    inner join cases
        on clocks.case_id = cases.case_id
    inner join ownership
        on clocks.case_id = ownership.case_id
    cross join run_constants

)

select * from final
