-- Files whose columns break the raw contract (docs/raw-contract.md; the types are the
-- data_type of the ops_export source columns): a missing column, a type that means something
-- else, a column the models cannot tell from another. One row per file and problem.

{{ config(store_failures=true, tags=['raw_files']) }}

with

inventory as (

    select * from {{ ref('raw_file_inventory') }}

),

problems as (

    select
        source_file,
        raw_table,
        unnest(schema_problems) as schema_problem
    from inventory

),

final as (

    select
        source_file,
        raw_table,
        schema_problem,
        source_file || ': ' || schema_problem
        || ' - fix or re-deliver the file (the columns and types: models/raw/_raw__sources.yml)' as problem
    from problems

)

select * from final
