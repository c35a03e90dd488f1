-- Every file under the raw folder ($OPS_SLA_RAW_DIR) as this run finds it, one row each, with
-- what the plugin function ops_sla_check_parquet_files() reads of the files the raw models
-- read: whether DuckDB can read the schema and every value, and the columns (SQL cannot catch
-- a read error per file). Reading every value is the one costly step, so a file this table
-- listed last run with the same size and modification time keeps last run's result (a full
-- refresh reads every file again). raw_file_inventory adds what is wrong with each file.

{{ config(materialized='table') }}

{%- set plugins = (target.plugins or []) | map(attribute='module') | list if target.type == 'duckdb' else [] %}
{%- if execute and target.type == 'duckdb' and 'ops_sla.duckdb_plugin' not in plugins %}
    {{ exceptions.raise_compiler_error(
        "ops-sla: the dbt profile does not load the plugin ops_sla.duckdb_plugin, which gives "
        ~ "the DuckDB connection the function ops_sla_check_parquet_files: add plugins: [{module: "
        ~ "ops_sla.duckdb_plugin}] to the profile, as the project's profiles.yml does"
    ) }}
{%- endif %}
{#- Spark's table materialization drops the table before it runs the query, and its check of a
    file is no cost: no previous listing there -#}
{%- set previous = none if flags.FULL_REFRESH or not execute or target.type != 'duckdb'
    else adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) %}

with

folder as (

    {{ ops_sla.raw_folder_files() }}

),

raw_tables (raw_table, partition_key) as (

    values
    {%- for table, spec in ops_sla.raw_tables().items() %}
        ({{ ops_sla.sql_literal(table) }}, {{ ops_sla.sql_literal(spec.key) if spec.key else 'null' }})
        {{- ',' if not loop.last }}
    {%- endfor %}

),

located as (

    select
        folder.filename,
        {{ ops_sla.relative_source_file('folder.filename') }} as source_file,
        folder.size as file_bytes,
        folder.last_modified as file_modified_at
    from folder

),

placed as (

    select
        located.*,
        raw_tables.raw_table,
        raw_tables.partition_key,
        case when raw_tables.partition_key is not null then split_part(located.source_file, '/', 2) end
            as partition_folder,
        -- the raw models' own patterns: <table>/<key folder>/*.parquet or <table>/*.parquet
        raw_tables.raw_table is not null and {{ ops_sla.matches_regex(
            'located.source_file',
            "case when raw_tables.partition_key is null then '^[^/]+/[^/]*\\.parquet$'"
            ~ " else '^[^/]+/[^/]+/[^/]*\\.parquet$' end"
        ) }} as is_read,
        -- a name (of the file or a folder on its way) starting with . or _ is no data by
        -- convention (_SUCCESS, .DS_Store, .part-0.parquet.crc, _temporary/)
        {{ ops_sla.matches_regex('located.source_file', "'(^|/)[._]'") }} as is_marked_ignorable,
        {{ ops_sla.matches_regex('lower(located.source_file)', "'\.(parquet|parq|pq)$'") }} as looks_like_parquet
    from located
    left join raw_tables
        on
            split_part(located.source_file, '/', 1) = raw_tables.raw_table
            and located.source_file like '%/%'

),

dated as (

    select
        *,
        case
            when
                partition_key is not null and is_read
                and split_part(partition_folder, '=', 1) = partition_key
                then
                    try_cast(nullif(regexp_extract(partition_folder, '^[^=]+=(\d{4}-\d{2}-\d{2})$', 1), '') as date)
        end as partition_date
    from placed

),

{%- if previous is not none %}

-- last run's listing: the checks of files unchanged since
previous as (

    select
        filename,
        file_bytes,
        file_modified_at,
        read_error,
        file_columns
    from {{ this }}
    where is_read

),
{%- endif %}

to_check as (

    select dated.filename
    from dated
    {%- if previous is not none %}
    left join previous
        on dated.filename = previous.filename
        and dated.file_bytes = previous.file_bytes
        and dated.file_modified_at = previous.file_modified_at
    {%- endif %}
    where dated.is_read
    {%- if previous is not none %}
        and previous.filename is null
    {%- endif %}

),

checked as (

    {{ ops_sla.check_parquet_files('to_check') }}

),

checks as (

    select
        filename,
        read_error,
        file_columns
    from checked
    {%- if previous is not none %}
    union all
    select
        previous.filename,
        previous.read_error,
        previous.file_columns
    from previous
    inner join dated
        on previous.filename = dated.filename
        and previous.file_bytes = dated.file_bytes
        and previous.file_modified_at = dated.file_modified_at
        and dated.is_read
    {%- endif %}

),

final as (

    select
        dated.source_file,
        dated.raw_table,
        dated.partition_key,
        dated.partition_folder,
        dated.partition_date,
        dated.file_bytes,
        dated.file_modified_at,
        dated.is_read,
        dated.is_marked_ignorable,
        dated.looks_like_parquet,
        checks.read_error,
        checks.file_columns,
        dated.filename
    from dated
    left join checks
        on dated.filename = checks.filename

)

select * from final
