-- Raw tables with no file where the models read them (the raw folder, or the table's folder,
-- missing or empty): one row per table, with the folder and what to do.

{{ config(store_failures=true, tags=['raw_files']) }}

with

inventory as (

    select * from {{ ref('raw_file_inventory') }}

),

raw_tables (raw_table, files_pattern) as (

    values
    {%- for table, spec in ops_sla.raw_tables().items() %}
        ({{ ops_sla.sql_literal(table) }}, {{ ops_sla.sql_literal(spec.pattern) }}){{ ',' if not loop.last }}
    {%- endfor %}

),

final as (

    select
        raw_tables.raw_table,
        'no raw parquet files for ' || raw_tables.raw_table || ' (' || raw_tables.files_pattern || '). '
        || 'The raw folder is OPS_SLA_RAW_DIR={{ env_var("OPS_SLA_RAW_DIR", "data/raw") | replace("'", "''") }}. '
        || 'Generate demo data with `make data` (or `ops-sla-generate --out '
        || '{{ ops_sla.raw_dir() | replace("'", "''") }}`), or point OPS_SLA_RAW_DIR at your own export.'
            as problem
    from raw_tables
    where not exists (
        select 1 from inventory
        where inventory.raw_table = raw_tables.raw_table and inventory.is_read
    )

)

select * from final
