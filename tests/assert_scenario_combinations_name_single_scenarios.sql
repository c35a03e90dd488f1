-- A combination lists existing single scenarios (not combinations): an unknown or nested id
-- would silently apply nothing in scenario_results.

with

scenarios as (

    select * from {{ ref('scenarios') }}

),

parts as (

    select
        scenario_id,
        trim(unnest(string_split(combines, ';'))) as part_id
    from scenarios
    where kind = 'combination'

),

final as (

    select
        parts.scenario_id,
        parts.part_id,
        coalesce(named.kind, 'unknown id') as problem
    from parts
    left join scenarios as named
        on parts.part_id = named.scenario_id
    where named.scenario_id is null or named.kind = 'combination'

)

select * from final
