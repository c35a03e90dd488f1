-- The breach instant is when the SLA clock reached its target: exactly `target` business
-- minutes after intake; a resolved breached case was resolved after it (SLA B: touched, or
-- cancelled untouched, after it), an open breached case reached it before the as-of instant.
-- Minutes measured across the case's ownership segments (each in its owner's schedule).

with

sla as (

    select
        int_case_sla.*,
        owners.segments,
        as_of.as_of_at

    from {{ ref('int_case_sla') }} as int_case_sla
    inner join {{ ref('int_case_ownership') }} as owners
        on int_case_sla.case_id = owners.case_id
    cross join {{ ref('int_data_as_of') }} as as_of

),

checked as (

    select
        case_id,
        case_status,
        'sla_a' as sla,
        sla_a_breach_at as breach_at,
        sla_a_target_minutes as target_minutes,
        {{ ops_sla.case_business_minutes_between('intake_at', 'sla_a_breach_at', 'segments') }} as minutes_to_breach,
        coalesce(first_resolution_at, as_of_at) as measured_until

    from sla
    where sla_a_breach_at is not null

    union all

    select
        case_id,
        case_status,
        'sla_b' as sla,
        sla_b_breach_at as breach_at,
        sla_b_target_minutes as target_minutes,
        {{ ops_sla.case_business_minutes_between('intake_at', 'sla_b_breach_at', 'segments') }} as minutes_to_breach,
        coalesce(first_touch_at, first_cancelled_at, as_of_at) as measured_until

    from sla
    where sla_b_breach_at is not null

)

select *
from checked
where
    abs(minutes_to_breach - target_minutes) > 1e-6
    or not (measured_until > breach_at or (case_status = 'open' and measured_until >= breach_at))
