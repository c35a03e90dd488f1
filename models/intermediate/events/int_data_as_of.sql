-- The instant the data describes: open cases are measured up to here. By default the
-- latest instant seen in the export (event ingestion or case intake); var `as_of` (an
-- instant) overrides it, never with an earlier instant (a data test stops that: the
-- events after it would still count, a mixed snapshot rather than a past one).

with

events as (

    select max(ingested_at) as latest_at from {{ ref('int_events_clean') }}

),

cases as (

    select max(intake_at) as latest_at from {{ ref('int_cases') }}

),

latest as (

    select greatest(events.latest_at, cases.latest_at) as data_latest_at
    from events
    cross join cases

),

final as (

    select
        {%- if var('as_of', none) %}
        cast('{{ var("as_of") }}' as timestamptz) as as_of_at,
        {%- else %}
            data_latest_at as as_of_at,
        {%- endif %}
        data_latest_at

    from latest

)

select * from final
