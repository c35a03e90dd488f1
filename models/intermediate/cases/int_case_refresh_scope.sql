-- The cases an incremental run re-derives: cases with an event (re)classified and cases
-- (re)derived since the last complete build (this run's, and those of a run that failed
-- since), and every case not closed yet (its clock still runs up to the as-of instant).
-- On a full build it simply lists every case.

{%- set since = ops_sla.last_complete_build_at() %}  {#- the watermark, read once #}

with

classified as (

    select
        case_id,
        classified_at
    from {{ ref('int_events_classified') }}

),

cases as (

    select
        case_id,
        refreshed_at
    from {{ ref('int_cases') }}

),

closed as (

    select distinct case_id
    from {{ ref('int_events_clean') }}
    where status in ('RESOLVED', 'CANCELLED') and not is_before_intake

),

final as (

    select case_id from classified
    where classified_at > {{ since }}
    union
    select case_id from cases
    where refreshed_at > {{ since }}
    union
    select cases.case_id
    from cases
    left join closed
        on cases.case_id = closed.case_id
    where closed.case_id is null

)

select * from final
