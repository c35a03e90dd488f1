-- The cases whose derived rows the case-grain models re-derive, one row per case each time
-- it is listed: cases with an event (re)classified and cases (re)derived since this model
-- last listed cases (its own watermark: the latest scoped_at in its table), stamped with
-- this run's start (scoped_at). Each case-grain model re-derives the cases listed since
-- it last wrote (macro refresh_scope_cases, against its own rows' refreshed_at), so a run
-- that dies after some of them leaves the others to the next run. The two models whose rows
-- also depend on the as-of instant (int_case_sla, case_sla) re-derive every open case
-- besides: the other case models' rows of a case whose events did not change do not change.
-- On a full build it lists every case.

{{ config(materialized=ops_sla.incremental_or_table(), incremental_strategy='append') }}

{%- set since = ops_sla.own_watermark('scoped_at') %}  {#- the watermark, read once #}

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

changed as (

    -- an event of no case (NULL case_id: quarantined NULL_CASE_ID) re-derives no case
    select case_id from classified
    where
        classified_at > {{ since }}
        and case_id is not null
    union
    select case_id from cases
    where refreshed_at > {{ since }}

),

final as (

    select
        case_id,
        {{ ops_sla.run_marker() }} as scoped_at
    from changed

)

select * from final
