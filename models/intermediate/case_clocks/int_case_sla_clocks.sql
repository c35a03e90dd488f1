-- Live SLA state: every SLA clock of every case as of the as-of instant, one row per case x
-- clock (sla_b, sla_a_including_wait, sla_a_paused_wait): status, business minutes elapsed
-- and remaining, the breach instant (actual or projected) and the instants 50, 75 and 100 %
-- of the target elapsed (DECISIONLOG "Live SLA state"). Everything is in the case's business
-- ordinal (macros/business_time.sql): continuous across hand-offs, so an instant ahead is
-- projected under the schedules owning the case.
-- Incremental: the cases of int_case_refresh_scope and every open case. depends_on: {{ ref('int_case_refresh_scope') }}
-- The open cases come from int_case_milestones: depends_on: {{ ref('int_case_milestones') }}
{{ config(meta={'rescores_open_cases': true}) }}

{%- set thresholds = [('50', 0.5), ('75', 0.75), ('100', 1.0)] %}

with

sla as (

    select * from {{ ref('int_case_sla') }}
    {{ ops_sla.only_cases_in_refresh_scope() }}

),

ownership as (

    select * from {{ ref('int_case_ownership') }}
    {{ ops_sla.only_cases_in_refresh_scope() }}

),

waits as (

    select * from {{ ref('int_customer_wait_intervals') }}
    {{ ops_sla.only_cases_in_refresh_scope() }}

),

run_constants as (

    select as_of_at from {{ ref('int_data_as_of') }}

),

cases as (

    select
        sla.case_id,
        sla.case_status,
        sla.intake_at,
        sla.first_touch_at,
        sla.first_resolution_at,
        sla.first_cancelled_at,
        sla.sla_b_target_minutes,
        sla.sla_a_target_minutes,
        run_constants.as_of_at,
        ownership.segments,
        ownership.final_team_id as owner_team_id,
        -- the SLA A window as int_case_sla has it: to the first resolution, or (open) to as-of
        case
            when sla.case_status = 'resolved' then sla.first_resolution_at
            when sla.case_status = 'open' then greatest(run_constants.as_of_at, sla.intake_at)
        end as sla_a_window_end_at

    from sla
    cross join run_constants
    inner join ownership
        on sla.case_id = ownership.case_id

),

-- the case's business ordinal (microseconds) of each instant a clock reads
ordinals as (

    select
        *,
        {{ ops_sla.case_business_ordinal_us('intake_at', 'segments') }} as start_us,
        {{ ops_sla.case_business_ordinal_us('greatest(as_of_at, intake_at)', 'segments') }} as as_of_us,
        {{ ops_sla.case_business_ordinal_us('first_touch_at', 'segments') }} as first_touch_us,
        {{ ops_sla.case_business_ordinal_us('first_cancelled_at', 'segments') }} as cancelled_us,
        {{ ops_sla.case_business_ordinal_us('sla_a_window_end_at', 'segments') }} as sla_a_window_end_us

    from cases

),

-- each customer wait inside the SLA A window (clipped to it, as int_case_sla clips it), in
-- ordinal terms
wait_spans as (

    select
        ordinals.case_id,
        waits.closed_at is null as is_open,
        {{ ops_sla.case_business_ordinal_us('greatest(waits.started_at, ordinals.intake_at)', 'ordinals.segments') }}
            as wait_start_us,
        {{ ops_sla.case_business_ordinal_us(
            'least(coalesce(waits.closed_at, ordinals.sla_a_window_end_at), ordinals.sla_a_window_end_at)',
            'ordinals.segments'
        ) }} as wait_end_us

    from ordinals
    inner join waits
        on
            ordinals.case_id = waits.case_id
            and ordinals.sla_a_window_end_at > waits.started_at
            and ordinals.sla_a_window_end_at > ordinals.intake_at
            and coalesce(waits.closed_at, ordinals.sla_a_window_end_at) > waits.started_at
            and coalesce(waits.closed_at, ordinals.sla_a_window_end_at) > ordinals.intake_at

),

-- where each wait starts on the paused clock: its start's ordinal minus the intake's and minus
-- the waits before it (waits do not overlap)
wait_positions as (

    select
        wait_spans.case_id,
        wait_spans.is_open,
        wait_spans.wait_end_us - wait_spans.wait_start_us as wait_us,
        wait_spans.wait_start_us - ordinals.start_us
        - coalesce(sum(wait_spans.wait_end_us - wait_spans.wait_start_us) over (
            partition by wait_spans.case_id order by wait_spans.wait_start_us
            rows between unbounded preceding and 1 preceding
        ), 0) as paused_start_us

    from wait_spans
    inner join ordinals
        on wait_spans.case_id = ordinals.case_id

),

case_waits as (

    select
        case_id,
        bool_or(is_open) as has_open_wait,
        cast(sum(wait_us) as bigint) as wait_us

    from wait_positions
    group by case_id

),

clock_rows as (

    select
        case_id,
        'sla_b' as sla_clock,
        1 as clock_order,
        sla_b_target_minutes as target_business_minutes,
        first_touch_at is not null as is_stopped,
        case_status = 'cancelled' and first_touch_at is null as is_cancelled,
        false as is_paused,
        coalesce(first_touch_us, case when case_status = 'cancelled' then cancelled_us else as_of_us end)
            as end_us,
        cast(0 as bigint) as wait_us

    from ordinals

    union all

    select
        case_id,
        'sla_a_including_wait' as sla_clock,
        2 as clock_order,
        sla_a_target_minutes as target_business_minutes,
        case_status = 'resolved' as is_stopped,
        case_status = 'cancelled' as is_cancelled,
        false as is_paused,
        sla_a_window_end_us as end_us,
        cast(0 as bigint) as wait_us

    from ordinals

    union all

    select
        ordinals.case_id,
        'sla_a_paused_wait' as sla_clock,
        3 as clock_order,
        ordinals.sla_a_target_minutes as target_business_minutes,
        ordinals.case_status = 'resolved' as is_stopped,
        ordinals.case_status = 'cancelled' as is_cancelled,
        -- an open case with a wait no event has closed yet: the clock stands still
        ordinals.case_status = 'open' and coalesce(case_waits.has_open_wait, false) as is_paused,
        ordinals.sla_a_window_end_us as end_us,
        coalesce(case_waits.wait_us, 0) as wait_us

    from ordinals
    left join case_waits
        on ordinals.case_id = case_waits.case_id

),

clocks as (

    select
        clock_rows.*,
        ordinals.case_status,
        ordinals.intake_at,
        ordinals.as_of_at,
        ordinals.segments,
        ordinals.owner_team_id,
        ordinals.start_us,
        ordinals.as_of_us,
        {{ ops_sla.minutes_to_us('clock_rows.target_business_minutes') }} as target_us,
        -- a cancelled case has no SLA A window: its SLA A clocks show nothing
        cast(clock_rows.end_us - ordinals.start_us - clock_rows.wait_us as bigint) as elapsed_us

    from clock_rows
    inner join ordinals
        on clock_rows.case_id = ordinals.case_id

),

-- the paused clock's threshold X is reached at the case ordinal start + X + the waits that
-- started (on the paused clock) at or before X; none if one of them is still open
paused_extras as (

    select
        {%- for name, share in thresholds %}
            cast(sum(wait_positions.wait_us) filter (
                where wait_positions.paused_start_us <= round(clocks.target_us * {{ share }})
            ) as bigint) as extra_{{ name }}_us,
            coalesce(bool_or(wait_positions.is_open) filter (
                where wait_positions.paused_start_us <= round(clocks.target_us * {{ share }})
            ), false) as blocked_{{ name }},
        {%- endfor %}
        clocks.case_id

    from clocks
    inner join wait_positions
        on clocks.case_id = wait_positions.case_id
    where clocks.sla_clock = 'sla_a_paused_wait'
    group by clocks.case_id

),

statuses as (

    select
        clocks.*,
        {%- for name, share in thresholds %}
            case
                when clocks.sla_clock = 'sla_a_paused_wait' and coalesce(paused_extras.blocked_{{ name }}, false)
                    then null
                when clocks.sla_clock = 'sla_a_paused_wait'
                    then
                        clocks.start_us + cast(round(clocks.target_us * {{ share }}) as bigint)
                        + coalesce(paused_extras.extra_{{ name }}_us, 0)
                else clocks.start_us + cast(round(clocks.target_us * {{ share }}) as bigint)
            end as ordinal_{{ name }}_us,
        {%- endfor %}
        case
            when clocks.as_of_at < clocks.intake_at then 'not_started'
            -- a case cancelled untouched after its SLA B target: a known breach (DECISIONLOG)
            when clocks.is_cancelled and clocks.sla_clock = 'sla_b' and clocks.elapsed_us > clocks.target_us
                then 'breached'
            when clocks.is_cancelled then 'cancelled'
            when clocks.is_stopped and clocks.elapsed_us > clocks.target_us then 'breached'
            when clocks.is_stopped then 'met'
            when clocks.is_paused then 'paused'
            when clocks.elapsed_us > clocks.target_us then 'running_past_target'
            else 'running'
        end as clock_status

    from clocks
    left join paused_extras
        on clocks.case_id = paused_extras.case_id and clocks.sla_clock = 'sla_a_paused_wait'

),

instants as (

    -- a stopped (or cancelled) clock reached only the thresholds up to its elapsed time
    select
        {%- for name, share in thresholds %}
            case
                when
                    clock_status not in ('met', 'breached', 'cancelled')
                    or cast(round(target_us * {{ share }}) as bigint) <= elapsed_us
                    then {{ ops_sla.case_instant_at_ordinal('ordinal_' ~ name ~ '_us', 'segments') }}
            end as target_{{ name }}_pct_at,
        {%- endfor %}
        *

    from statuses

),

final as (

    select
        case_id,
        sla_clock,
        clock_order,
        case_status,
        clock_status,
        intake_at,
        owner_team_id,
        target_business_minutes,
        {{ ops_sla.us_to_minutes('elapsed_us') }} as elapsed_business_minutes,
        -- nothing remains of a met or a cancelled clock's target
        case
            when clock_status not in ('met', 'cancelled') then {{ ops_sla.us_to_minutes('target_us - elapsed_us') }}
        end as remaining_business_minutes,
        cast(100 * elapsed_us as double) / nullif(target_us, 0) as percent_of_target_elapsed,
        clock_status in ('breached', 'running_past_target')
        or (clock_status = 'paused' and elapsed_us > target_us) as is_breached,
        -- the instant the clock passes its target: none for a met clock, none while paused within it
        case when clock_status not in ('met', 'cancelled') then target_100_pct_at end as breach_at,
        clock_status in ('running', 'not_started') as is_breach_projected,
        target_50_pct_at,
        target_75_pct_at,
        target_100_pct_at,
        target_50_pct_at > as_of_at as is_target_50_pct_projected,
        target_75_pct_at > as_of_at as is_target_75_pct_projected,
        -- a lead's warning time: business time of the owning schedules from the 75 % instant to
        -- the breach (waits included), for breached clocks
        case
            when
                (
                    clock_status in ('breached', 'running_past_target')
                    or (clock_status = 'paused' and elapsed_us > target_us)
                )
                and target_75_pct_at is not null and target_100_pct_at is not null
                then {{ ops_sla.us_to_minutes('ordinal_100_us - ordinal_75_us') }}
        end as warning_lead_business_minutes,
        {{ ops_sla.run_marker() }} as refreshed_at

    from instants

)

-- in case order, as every case table (DECISIONLOG "Case tables are stored in case order")
select * from final
order by case_id, clock_order
