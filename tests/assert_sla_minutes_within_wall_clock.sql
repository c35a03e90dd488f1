-- 0 <= business minutes <= wall-clock minutes for every measured interval of every case.

with

sla as (

    select
        int_case_sla.*,
        as_of.as_of_at

    from {{ ref('int_case_sla') }} as int_case_sla
    cross join {{ ref('int_data_as_of') }} as as_of

),

measures as (

    select
        case_id,
        'sla_b' as measure,
        sla_b_business_minutes as business_minutes,
        (epoch(first_touch_at) - epoch(intake_at)) / 60.0 as wall_clock_minutes
    from sla
    where first_touch_at is not null

    union all

    select
        case_id,
        'sla_a_including_wait' as measure,
        sla_a_business_minutes_including_wait as business_minutes,
        (epoch(first_resolution_at) - epoch(intake_at)) / 60.0 as wall_clock_minutes
    from sla
    where first_resolution_at is not null

    union all

    select
        case_id,
        'customer_wait' as measure,
        customer_wait_business_minutes as business_minutes,
        (epoch(coalesce(first_resolution_at, as_of_at)) - epoch(intake_at)) / 60.0 as wall_clock_minutes
    from sla
    where case_status <> 'cancelled'

)

select *
from measures
where
    business_minutes is null
    or business_minutes < 0
    or business_minutes > wall_clock_minutes + 1e-9
