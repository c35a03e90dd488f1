-- Policy sensitivity: how much of each tier's SLA A breach rate is customer wait? The rate
-- with the clock running through customer wait, with it paused, and the difference, per
-- tier and case type, plus how many breaches are caused by the wait alone.

with

case_sla as (

    select * from {{ ref('case_sla') }}
    where case_status = 'resolved'

),

rates as (

    select
        tier,
        case_type,
        count(*) as resolved_cases,
        avg(cast(sla_a_breached_including_wait as integer)) as breach_rate_including_wait,
        avg(cast(sla_a_breached_paused_wait as integer)) as breach_rate_paused_wait,
        count(*) filter (where sla_a_breached_including_wait and not sla_a_breached_paused_wait)
            as breaches_caused_by_wait_alone

    from case_sla
    group by tier, case_type

),

final as (

    select
        *,
        breach_rate_including_wait - breach_rate_paused_wait as rate_points_from_customer_wait

    from rates
    order by tier, case_type

)

select * from final
