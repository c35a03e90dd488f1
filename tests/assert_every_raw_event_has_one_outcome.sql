-- Reconciliation: every raw event row ends in exactly one place - the clean stream, the
-- removed duplicates or quarantined_events - and nothing else appears there.
-- A daily run checks every row of the files it loaded rows of or re-classified rows of
-- since the last complete build - its own, and (defensively: the run re-processes them
-- anyway) those of a run that failed since; the other files' rows did not change since the
-- build that checked them. Whole files, read through a filter on the file, not a join on
-- each row's key: an old outcome left behind for a re-classified row is in the same file.
-- A full build checks every row.

{{ config(tags=['daily']) }}

{%- set daily = ops_sla.is_daily_run() %}
{%- set since = ops_sla.last_complete_build_at() %}  {#- the watermark, read once #}

with

{%- if daily %}

checked_files as (

    select source_file from {{ ref('raw_events_log') }}
    where loaded_at > {{ since }}
    union
    select source_file from {{ ref('int_events_classified') }}
    where classified_at > {{ since }}

),

{%- endif %}

raw_rows as (

    select
        source_file,
        source_row
    from {{ ref('raw_events_log') }}
    {%- if daily %}
    where source_file in (select source_file from checked_files)
    {%- endif %}

),

all_outcomes as (

    select
        source_file,
        source_row,
        'clean' as outcome
    from {{ ref('int_events_clean') }}
    union all
    select
        source_file,
        source_row,
        'duplicate' as outcome
    from {{ ref('int_events_classified') }}
    where disposition = 'duplicate'
    union all
    select
        source_file,
        source_row,
        'quarantined' as outcome
    from {{ ref('quarantined_events') }}

),

outcomes as (

    select
        source_file,
        source_row,
        outcome
    from all_outcomes
    {%- if daily %}
    where source_file in (select source_file from checked_files)
    {%- endif %}

),

outcome_counts as (

    select
        source_file,
        source_row,
        count(*) as outcomes,
        string_agg(outcome, ',') as outcome_list
    from outcomes
    group by source_file, source_row

)

select
    coalesce(raw_rows.source_file, outcome_counts.source_file) as source_file,
    coalesce(raw_rows.source_row, outcome_counts.source_row) as source_row,
    raw_rows.source_file is not null as in_raw,
    outcome_counts.outcomes,
    outcome_counts.outcome_list

from raw_rows
full outer join outcome_counts
    on
        raw_rows.source_file = outcome_counts.source_file
        and raw_rows.source_row = outcome_counts.source_row
where
    raw_rows.source_file is null
    or outcome_counts.outcomes is null
    or outcome_counts.outcomes <> 1
