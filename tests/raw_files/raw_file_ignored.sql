-- Files under the raw folder that are ignored on purpose: a name (of the file or of a folder
-- on its way) starting with . or _ (_SUCCESS, .DS_Store, checksum files, _temporary/) and not
-- where the raw models read parquet files. A warning, one row per file: they are named, never
-- silently left out. The demo generator's own marker (.ops_sla_generator.json at the top of a
-- folder it created) is the one file not named: it is no export file, and every demo build
-- would warn about it.

{{ config(store_failures=true, severity='warn', tags=['raw_files']) }}

with

inventory as (

    select * from {{ ref('raw_file_inventory') }}

),

final as (

    select
        source_file,
        raw_table,
        source_file || ': ignored (its name or a folder''s starts with . or _); '
        || 'if it holds data, rename it and put it where the models read' as problem
    from inventory
    where
        disposition = 'ignored'
        and source_file <> '.ops_sla_generator.json'

)

select * from final
