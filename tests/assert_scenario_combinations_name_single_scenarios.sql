-- A combination lists existing single scenarios (not combinations), each once, and at least
-- one: an unknown, nested or empty id would silently apply nothing in scenario_results, and
-- a repeated one reads as a mistake (it is applied once). Each row returned names the
-- combination, the id and what to change in seeds/scenarios.csv.

{{ config(store_failures=true) }}

with

scenarios as (

    select * from {{ ref('scenarios') }}

),

combinations as (

    select
        scenario_id,
        combines
    from scenarios
    where kind = 'combination'

),

parts as (

    select
        scenario_id,
        trim(unnest(string_split(combines, ';'))) as part_id
    from combinations

),

problems as (

    select
        parts.scenario_id,
        parts.part_id,
        case
            when parts.part_id = '' then 'empty id'
            when named.scenario_id is null then 'unknown id'
            else 'a combination'
        end as problem
    from parts
    left join scenarios as named
        on parts.part_id = named.scenario_id
    where named.scenario_id is null or named.kind = 'combination'
    union all
    select
        scenario_id,
        part_id,
        'listed ' || count(*) || ' times' as problem
    from parts
    group by scenario_id, part_id
    having count(*) > 1
    union all
    select
        scenario_id,
        null as part_id,
        'combines nothing' as problem
    from combinations
    where coalesce(trim(combines), '') = ''

),

final as (

    select
        scenario_id,
        part_id,
        problem as what,
        'seeds/scenarios.csv: combination ' || scenario_id
        || coalesce(' lists ''' || part_id || ''' (' || problem || ')', ' ' || problem)
        || ' - its combines must list existing single scenarios (kind stage_reduction or'
        || ' reopen_reduction) separated by '';'', each once' as problem
    from problems

)

select * from final
