-- Every case_id of raw cases is in case_sla exactly once, and case_sla has no other case.

{{ config(tags=['daily']) }}

with

raw_cases as (

    select distinct trim(case_id) as case_id from {{ ref('raw_cases') }}

),

case_sla as (

    select
        case_id,
        count(*) as rows_per_case
    from {{ ref('case_sla') }}
    group by case_id

)

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
