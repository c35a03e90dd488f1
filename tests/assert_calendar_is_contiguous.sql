-- calendar_dim must have one row per date with no gaps: a missing date would silently
-- count as non-business time.

with

dates as (

    select
        calendar_date,
        lead(calendar_date) over (order by calendar_date) as next_date

    from {{ ref('stg_ops_export__calendar') }}

)

select *
from dates
where
    next_date is not null
    and next_date <> calendar_date + 1
