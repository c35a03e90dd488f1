-- Customer-wait intervals: CUSTOMER_WAIT -> the next CUSTOMER_RESPONDED. A wait with no
-- response yet is open (closed_at NULL); the SLA engine clips it to the measured window.

-- depends_on: {{ ref('int_case_refresh_scope') }}

with

events as (

    select * from {{ ref('int_events_clean') }}
    where not is_before_intake
    {%- if is_incremental() %}
        and case_id in (select case_id from {{ ref('int_case_refresh_scope') }})
    {%- endif %}

),

intervals as (

    {{ ops_sla.status_intervals('events', 'CUSTOMER_WAIT', 'CUSTOMER_RESPONDED') }}

),

final as (

    select
        case_id,
        started_at,
        closed_at,
        opening_events,
        closed_at is null as is_open

    from intervals

)

select * from final
