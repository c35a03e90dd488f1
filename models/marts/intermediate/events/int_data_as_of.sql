-- The instant the data describes: open cases are measured up to here. By default the
-- latest ingestion time of any clean event; var `as_of` (an instant) overrides it.

with

events as (

    select * from {{ ref('int_events_clean') }}

),

final as (

    select
        {%- if var('as_of', none) %}
        cast('{{ var("as_of") }}' as timestamptz) as as_of_at
        {%- else %}
        max(ingested_at) as as_of_at
        {%- endif %}

    from events

)

select * from final
