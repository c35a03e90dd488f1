-- The instant the data describes: open cases are measured up to here. By default the
-- latest instant seen in the export (event ingestion or case intake); var `as_of` (an
-- instant) overrides it, never with an earlier instant (a data test stops that: the
-- events after it would still count, a mixed snapshot rather than a past one). An as_of
-- without a UTC offset (or Z, or UTC) is wall-clock time in var business_time_zone, never
-- in the session's zone.

{%- set as_of = var('as_of', none) %}
{%- set as_of_has_offset = as_of and modules.re.search(
    '\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?\\s*(z|utc|[+-]\\d{2}(:?\\d{2})?)$', as_of | string | trim, modules.re.I) %}

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
        {%- if as_of_has_offset %}
        cast('{{ as_of }}' as {{ ops_sla.instant_type() }}) as as_of_at,
        {%- elif as_of %}
        {{ ops_sla.local_to_instant("'" ~ as_of ~ "'") }} as as_of_at,
        {%- else %}
            data_latest_at as as_of_at,
        {%- endif %}
        data_latest_at

    from latest

)

select * from final
