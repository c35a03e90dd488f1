-- Files the raw models read that are no readable parquet: truncated, corrupt, zero bytes, a
-- damaged footer, or values DuckDB cannot read (text that is not valid UTF-8: the column is
-- named). One row per file, with DuckDB's error and what to do.

{{ config(store_failures=true, tags=['raw_files']) }}

with

inventory as (

    select * from {{ ref('raw_file_inventory') }}

),

final as (

    select
        source_file,
        raw_table,
        read_error,
        source_file || ': not a readable parquet file (' || read_error || '): truncated or corrupt, '
        || 'or text that is not UTF-8 - deliver it again' as problem
    from inventory
    where is_read and not is_readable

)

select * from final
