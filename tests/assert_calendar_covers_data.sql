-- The business calendar must cover every intake and the as-of instant; outside it the
-- business-time macros return NULL, so an uncovered date fails here instead of silently.

{{ config(tags=['daily']) }}

with

calendar_range as (

    -- the instants every schedule covers (business time is NULL outside a schedule's range)
    select
        max(covers_from) as covers_from,
        min(covers_until) as covers_until
    from {{ ref('int_business_time_index') }}

),

instants as (

    select
        case_id as item,
        'case intake' as what,
        intake_at as instant
    from {{ ref('int_cases') }}
    union all
    select
        'as of' as item,
        'data as of' as what,
        as_of_at as instant
    from {{ ref('int_data_as_of') }}

)

select
    instants.*,
    calendar_range.covers_from,
    calendar_range.covers_until

from instants
cross join calendar_range
where
    instants.instant < calendar_range.covers_from
    or instants.instant >= calendar_range.covers_until
