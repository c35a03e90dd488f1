-- Every case_id of raw cases is in case_sla exactly once, and case_sla has no other case.
-- A daily run checks the cases it re-derived (int_case_refresh_scope and every open case:
-- the only case_sla rows it deletes and writes) and the cases of the raw rows loaded since
-- the last complete build, plus one count over the whole table (case_sla against int_cases,
-- one row per raw case_id): the other cases' rows did not change since the build that
-- checked them. (A missing and an extra row among those would cancel in the count; a daily
-- run writes none of them, and every full build checks each case.)

-- depends_on: {{ ref('int_case_refresh_scope') }}, {{ ref('int_case_milestones') }}, {{ ref('int_cases') }}
{{ config(tags=['daily'], meta={'rescores_open_cases': true}) }}

{%- set daily = execute and ops_sla.is_daily_run() %}  {#- (parsing renders no daily form) #}

with

{%- if daily %}

checked_cases as (

    {{ ops_sla.refresh_scope_cases() }}
    union
    select trim(case_id) as case_id from {{ ref('raw_cases') }}
    where loaded_at > {{ ops_sla.last_complete_build_at() }}

),

table_counts as (

    select
        (select count(*) from {{ ref('case_sla') }}) as case_sla_rows,
        (select count(*) from {{ ref('int_cases') }}) as cases

),

{%- endif %}

raw_cases as (

    select distinct trim(case_id) as case_id from {{ ref('raw_cases') }}
    {%- if daily %}
    where trim(case_id) in (select case_id from checked_cases)
    {%- endif %}

),

case_sla as (

    select
        case_id,
        count(*) as rows_per_case
    from {{ ref('case_sla') }}
    {%- if daily %}
    where case_id in (select case_id from checked_cases)
    {%- endif %}
    group by case_id

),

final as (

    select
        coalesce(raw_cases.case_id, case_sla.case_id) as case_id,
        raw_cases.case_id is not null as in_raw,
        case_sla.rows_per_case

    from raw_cases
    full outer join case_sla
        on raw_cases.case_id = case_sla.case_id
    where
        raw_cases.case_id is null
        or case_sla.case_id is null
        or case_sla.rows_per_case <> 1

    {%- if daily %}

    union all

    -- the rows of the cases not checked above: as many as int_cases has cases
    select
        '(every case)' as case_id,
        null as in_raw,
        case_sla_rows as rows_per_case
    from table_counts
    where case_sla_rows <> cases

    {%- endif %}

)

select * from final
