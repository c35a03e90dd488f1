-- Files under the raw folder the raw models would not read (a wrong extension or letter case,
-- a wrong depth, a folder that is no raw table) or would read without a partition date (a
-- partition folder not named <key>=YYYY-MM-DD): one row per file, with what to do.

{{ config(store_failures=true, tags=['raw_files']) }}

with

inventory as (

    select * from {{ ref('raw_file_inventory') }}

),

final as (

    select
        source_file,
        raw_table,
        disposition,
        source_file || ': ' || placement_problem as problem
    from inventory
    where placement_problem is not null

)

select * from final
