-- The business calendar is built for one team zone (var business_time_zone); a case
-- owned by a team in another zone would be measured on the wrong clock. Input validation:
-- the daily run checks it too (new cases).

{{ config(tags=['daily']) }}

select
    case_id,
    team_tz,
    '{{ var("business_time_zone") }}' as business_time_zone

from {{ ref('int_cases') }}
where team_tz is distinct from '{{ var("business_time_zone") }}'
