-- Reconciliation: every raw event row ends in exactly one place - the clean stream, the
-- removed duplicates or quarantined_events - and nothing else appears there.

with

raw_rows as (

    select
        source_file,
        source_row
    from {{ ref('raw_events_log') }}

),

outcomes as (

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
