-- The cases whose derived rows an incremental run must re-derive: cases with an event
-- (re)classified and cases (re)derived since the last complete build (this run's, and those
-- of a run that failed since). The two models whose rows also depend on the as-of instant
-- (int_case_sla, case_sla) re-derive every open case besides (macro refresh_scope_cases):
-- the other case models' rows of a case whose events did not change do not change.
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

final as (

    select case_id from classified
    where classified_at > {{ since }}
    union
    select case_id from cases
    where refreshed_at > {{ since }}

)

select * from final
