-- One row per case_id. A case delivered more than once (e.g. a file exported twice) keeps
-- its first copy (earliest intake, then file name, then row in the file: the same copy
-- whatever the load order); the number of copies is kept, and copies that disagree on the
-- intake or an attribute are flagged.
-- Incremental: re-derives every case with a row loaded after the latest load it has taken
-- in (its own watermark: the largest loaded_at in its table; a run that died before this
-- model leaves the rows it loaded to the next run).

-- depends_on: {{ ref('raw_cases') }}
{{ config(materialized=ops_sla.incremental_or_table(), incremental_strategy='delete+insert', unique_key='case_id') }}

with

-- read twice in an incremental run (the new rows' case ids, then all rows of those cases):
-- not materialized, so each read filters the staging view instead of copying all of it
staged as {{ ops_sla.cte_hint('not materialized') }} (

    select * from {{ ref('stg_ops_export__cases') }}

),

cases as (

    select * from staged
    {%- if is_incremental() %}
    where case_id in (
        select case_id from staged
        where loaded_at > {{ ops_sla.own_watermark('loaded_at') }}
    )
    {%- endif %}

),

team_periods as (

    select * from {{ ref('int_team_schedule_periods') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by case_id order by intake_at nulls last, source_file, source_row
        ) as copy_number,
        count(*) over (partition by case_id) as delivered_copies,
        {{ ops_sla.count_distinct_rows_over(['intake_at', 'tier', 'case_type', 'team_tz', 'team_id'], 'case_id') }}
            as distinct_versions,
        max(loaded_at) over (partition by case_id) as latest_loaded_at

    from cases

),

kept as (

    select
        *,
        -- a case without a team is owned by team `default` (the schedule of the vars)
        coalesce(team_id, 'default') as intake_team_id

    from ranked
    where copy_number = 1

),

final as (

    select
        kept.case_id,
        kept.intake_at,
        {{ ops_sla.instant_to_local('kept.intake_at') }} as intake_local,
        cast({{ ops_sla.instant_to_local('kept.intake_at') }} as date) as intake_date_local,
        kept.tier,
        kept.case_type,
        kept.team_tz,
        kept.intake_team_id,
        -- the schedule the intake team works to at intake, and its zone: the case's team_tz
        -- (NULL for a team missing from team_schedules: the test value_in_seed on
        -- cases.team_id stops the build). A hand-off at the intake instant does not change
        -- them: the schedule owning the case is int_case_ownership's.
        team_periods.schedule_id as intake_team_schedule_id,
        team_periods.time_zone as intake_team_time_zone,
        kept.source_file,
        kept.delivered_copies,
        kept.distinct_versions > 1 as has_conflicting_copies,
        kept.latest_loaded_at as loaded_at,
        {{ ops_sla.run_marker() }} as refreshed_at

    from kept
    left join team_periods
        on
            kept.intake_team_id = team_periods.team_id
            and {{ ops_sla.in_period('kept.intake_at', 'team_periods') }}

)

-- in case order: a daily run reads and deletes the rows of a few (mostly recent) cases, and
-- DuckDB skips the row groups of the others (DECISIONLOG "Case tables are stored in case order")
select * from final
order by case_id
