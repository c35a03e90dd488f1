-- Warning lead time of breached SLA clocks: the business time (under the schedules owning the
-- case) and the wall-clock time from the instant 75 % of the target had elapsed to the breach,
-- by clock, tier and current owner team (DECISIONLOG "Live SLA state"). For the clocks that
-- never pause the business lead is a quarter of the target by construction; the paused
-- policy's lead also holds the customer waits in between, and the wall-clock lead shows how
-- much of the warning fell on nights, weekends and closures.

{#- wall-clock hours from the 75 % instant to the breach (exact microseconds, then one division) #}
{%- set lead_wall_clock_hours = 'cast(' ~ ops_sla.epoch_us('clocks.target_100_pct_at') ~ ' - '
    ~ ops_sla.epoch_us('clocks.target_75_pct_at') ~ ' as double) / 3600000000' %}

with

clocks as (

    select * from {{ ref('int_case_sla_clocks') }}
    where warning_lead_business_minutes is not null

),

cases as (

    select * from {{ ref('int_cases') }}

),

final as (

    select
        clocks.sla_clock,
        cases.tier,
        clocks.owner_team_id,
        count(*) as breached_clocks,
        {{ ops_sla.avg_minutes('clocks.warning_lead_business_minutes') }} as avg_warning_lead_business_minutes,
        {{ ops_sla.quantile('clocks.warning_lead_business_minutes', 0.5) }} as p50_warning_lead_business_minutes,
        min(clocks.warning_lead_business_minutes) as min_warning_lead_business_minutes,
        {{ ops_sla.quantile(lead_wall_clock_hours, 0.5) }}
            as p50_warning_lead_wall_clock_hours,
        {{ ops_sla.quantile(lead_wall_clock_hours, 0.1) }}
            as p10_warning_lead_wall_clock_hours

    from clocks
    inner join cases
        on clocks.case_id = cases.case_id
    group by clocks.sla_clock, cases.tier, clocks.owner_team_id

)

select * from final
order by sla_clock, tier, owner_team_id
