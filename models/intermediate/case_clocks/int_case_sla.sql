-- SLA clocks of every case in business minutes (DECISIONLOG "SLA semantics"; clocks: _case_clocks__models.yml).
-- Incremental: the cases of int_case_refresh_scope and every open case. depends_on: {{ ref('int_case_refresh_scope') }}
{{ config(meta={'rescores_open_cases': true}) }}

with

cases as (

    select * from {{ ref('int_cases') }}
    {{ ops_sla.only_cases_in_refresh_scope() }}

),

milestones as (

    select * from {{ ref('int_case_milestones') }}
    {{ ops_sla.only_cases_in_refresh_scope() }}

),

waits as (

    select * from {{ ref('int_customer_wait_intervals') }}
    {{ ops_sla.only_cases_in_refresh_scope() }}

),

{%- set target_rank = ops_sla.make_struct({
    'own_tier': 'targets.tier is not null', 'since': "coalesce(targets.valid_from, date '0001-01-01')"}) %}

-- each case's ownership segments: business time accrues under the schedule owning the case
ownership as (

    select * from {{ ref('int_case_ownership') }}
    {{ ops_sla.only_cases_in_refresh_scope() }}

),

run_constants as (

    select as_of_at from {{ ref('int_data_as_of') }}

),

targets as (

    select * from {{ ref('sla_targets') }}

),

case_targets as (

    -- the target in effect at intake (local date of the intake team's schedule): a tier's own
    -- row before the all-tiers row, then the latest valid_from
    select
        cases.case_id,
        max_by(targets.target_business_minutes, {{ target_rank }}) filter (where targets.sla_name = 'SLA_B')
            as sla_b_target_minutes,
        max_by(targets.target_business_minutes, {{ target_rank }}) filter (where targets.sla_name = 'SLA_A')
            as sla_a_target_minutes

    from cases
    inner join ownership
        on cases.case_id = ownership.case_id
    left join targets
        on
            (cases.tier = targets.tier or targets.tier is null)
            and (
                targets.valid_from is null
                or targets.valid_from
                <= cast({{ ops_sla.instant_to_local('cases.intake_at', 'ownership.intake_time_zone') }} as date)
            )
    group by cases.case_id

),

windows as (

    select
        milestones.*,
        run_constants.as_of_at,
        ownership.segments,
        case
            when milestones.case_status = 'resolved' then milestones.first_resolution_at
            when milestones.case_status = 'open' then greatest(run_constants.as_of_at, milestones.intake_at)
        end as sla_a_window_end_at

    from milestones
    cross join run_constants
    inner join ownership
        on milestones.case_id = ownership.case_id

),

wait_in_window as (

    select
        windows.case_id,
        {{ ops_sla.sum_minutes(ops_sla.case_business_minutes_between(
            'greatest(waits.started_at, windows.intake_at)',
            'least(coalesce(waits.closed_at, windows.sla_a_window_end_at), windows.sla_a_window_end_at)',
            'windows.segments'
        )) }} as customer_wait_business_minutes,
        count(*) as customer_wait_intervals

    -- the wait's part inside the window [intake, window end) is not empty: both ends come after
    -- both starts (a wait answered at the instant it started is no interval; a cancelled case has no window)
    from windows
    inner join waits
        on
            windows.case_id = waits.case_id
            and windows.sla_a_window_end_at > waits.started_at
            and windows.sla_a_window_end_at > windows.intake_at
            and coalesce(waits.closed_at, windows.sla_a_window_end_at) > waits.started_at
            and coalesce(waits.closed_at, windows.sla_a_window_end_at) > windows.intake_at
    group by windows.case_id

),

clocks as (

    select
        windows.*,
        case_targets.sla_b_target_minutes,
        case_targets.sla_a_target_minutes,
        {{ ops_sla.case_business_ordinal_us('windows.intake_at', 'windows.segments') }} as intake_ordinal_us,
        {{ ops_sla.case_business_minutes_between('windows.intake_at', 'windows.first_touch_at', 'windows.segments') }}
            as sla_b_business_minutes,
        {{ ops_sla.case_business_minutes_between(
            'windows.intake_at', 'greatest(windows.as_of_at, windows.intake_at)', 'windows.segments'
        ) }} as elapsed_business_minutes_as_of,
        {{ ops_sla.case_business_minutes_between(
            'windows.intake_at', 'windows.first_cancelled_at', 'windows.segments'
        ) }}
            as business_minutes_to_cancellation,
        {{ ops_sla.case_business_minutes_between(
            'windows.intake_at', 'windows.sla_a_window_end_at', 'windows.segments'
        ) }}
            as sla_a_window_business_minutes,
        coalesce(wait_in_window.customer_wait_business_minutes, 0) as customer_wait_business_minutes,
        coalesce(wait_in_window.customer_wait_intervals, 0) as customer_wait_intervals

    from windows
    inner join case_targets
        on windows.case_id = case_targets.case_id
    left join wait_in_window
        on windows.case_id = wait_in_window.case_id

),

scored as (

    select
        *,
        case when case_status = 'resolved' then sla_a_window_business_minutes end
            as sla_a_business_minutes_including_wait,
        case when case_status = 'resolved' then sla_a_window_business_minutes - customer_wait_business_minutes end
            as sla_a_business_minutes_paused_wait,
        case
            when first_touch_at is not null then sla_b_business_minutes > sla_b_target_minutes
            when case_status = 'open' and elapsed_business_minutes_as_of > sla_b_target_minutes then true
            -- cancelled untouched after the target passed: the customer waited past it
            when case_status = 'cancelled' and business_minutes_to_cancellation > sla_b_target_minutes then true
        end as sla_b_breached,
        case
            when case_status in ('resolved', 'open') and sla_a_window_business_minutes > sla_a_target_minutes
                then true
            when case_status = 'resolved' then false
        end as sla_a_breached_including_wait,
        case
            when
                case_status in ('resolved', 'open')
                and sla_a_window_business_minutes - customer_wait_business_minutes > sla_a_target_minutes
                then true
            when case_status = 'resolved' then false
        end as sla_a_breached_paused_wait

    from clocks

),

final as (

    select
        case_id,
        case_status,
        intake_at,
        first_touch_at,
        first_touch_source,
        first_resolution_at,
        first_cancelled_at,
        sla_b_target_minutes,
        sla_a_target_minutes,
        sla_b_business_minutes,
        sla_a_business_minutes_including_wait,
        sla_a_business_minutes_paused_wait,
        customer_wait_business_minutes,
        customer_wait_intervals,
        case when case_status = 'open' then sla_a_window_business_minutes end
            as open_elapsed_business_minutes_including_wait,
        case when case_status = 'open' then sla_a_window_business_minutes - customer_wait_business_minutes end
            as open_elapsed_business_minutes_paused_wait,
        sla_b_breached,
        sla_a_breached_including_wait,
        sla_a_breached_paused_wait,
        case
            when sla_b_breached then {{ ops_sla.case_instant_at_ordinal(
                'intake_ordinal_us + ' ~ ops_sla.minutes_to_us('sla_b_target_minutes'), 'segments'
            ) }}
        end as sla_b_breach_at,
        case
            when sla_a_breached_including_wait
                then {{ ops_sla.case_instant_at_ordinal(
                    'intake_ordinal_us + ' ~ ops_sla.minutes_to_us('sla_a_target_minutes'), 'segments'
                ) }}
        end as sla_a_breach_at,
        reopen_count,
        clean_event_count,
        {{ ops_sla.run_marker() }} as refreshed_at

    from scored

)

select * from final
order by case_id  -- in case order, as every case table (DECISIONLOG)
