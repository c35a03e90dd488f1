-- Every file under the raw folder ($OPS_SLA_RAW_DIR) as this run finds it, one row each:
-- which raw table it belongs to, whether the raw models read it, its partition date, size and
-- modification time, and, for the files the models read, whether DuckDB can read it and how its
-- columns break the contract (docs/raw-contract.md). Rebuilt every run: it is this run's
-- listing, and the raw models load the files it lists (a file that arrives later waits for the
-- next run). The tests in tests/raw_files/ turn its problems into failures naming each file,
-- so a bad file stops every model that depends on it.
-- A file's readability and columns come from ops_sla_check_parquet_files(), a function the
-- profile's plugin ops_sla.duckdb_plugin registers (SQL cannot catch a read error per file).
-- Reading every value of every file is the one costly step, so a file this table listed last
-- run with the same size and modification time keeps last run's result (a full refresh
-- checks every file again).

{{ config(materialized='table') }}

{%- set checker = 'ops_sla_check_parquet_files' %}
{%- if execute and 'ops_sla.duckdb_plugin' not in (target.plugins or []) | map(attribute='module') | list %}
    {{ exceptions.raise_compiler_error(
        "ops-sla: the dbt profile does not load the plugin ops_sla.duckdb_plugin, which gives "
        ~ "the DuckDB connection the function " ~ checker ~ ": add plugins: [{module: "
        ~ "ops_sla.duckdb_plugin}] to the profile, as the project's profiles.yml does"
    ) }}
{%- endif %}
{%- set previous = none if flags.FULL_REFRESH or not execute
    else adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) %}

with

folder as (

    select * from {{ source('ops_export', 'raw_folder') }}

),

raw_tables (raw_table, partition_key) as (

    values
    {%- for table, spec in ops_sla.raw_tables().items() %}
        ({{ ops_sla.sql_literal(table) }}, {{ ops_sla.sql_literal(spec.key) if spec.key else 'null' }})
        {{- ',' if not loop.last }}
    {%- endfor %}

),

contract (raw_table, column_name, data_type) as (

    values
        {{ ops_sla.raw_contract_rows() }}

),

-- the parquet types each contract type accepts (DuckDB's names; `like` patterns)
accepted (data_type, duckdb_type) as (

    values
        ('varchar', 'VARCHAR'),
        ('timestamp with time zone', 'TIMESTAMP WITH TIME ZONE'),
        -- pandas' datetime64[ns, UTC]: an instant too (read to the microsecond)
        ('timestamp with time zone', 'TIMESTAMPTZ_NS'),
        ('date', 'DATE'),
        ('boolean', 'BOOLEAN'),
        ('double', 'DOUBLE'), ('double', 'FLOAT'), ('double', 'DECIMAL%'),
        ('double', 'TINYINT'), ('double', 'SMALLINT'), ('double', 'INTEGER'), ('double', 'BIGINT'),
        {%- for integer_type in ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'UTINYINT', 'USMALLINT', 'UINTEGER'] %}
        ('integer', '{{ integer_type }}'), ('bigint', '{{ integer_type }}'){{ "," if not loop.last }}
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
        raw_tables.raw_table is not null and regexp_matches(
            located.source_file,
            case when raw_tables.partition_key is null then '^[^/]+/[^/]*\.parquet$' else '^[^/]+/[^/]+/[^/]*\.parquet$' end
        ) as is_read,
        -- a name (of the file or a folder on its way) starting with . or _ is no data by
        -- convention (_SUCCESS, .DS_Store, .part-0.parquet.crc, _temporary/)
        regexp_matches(located.source_file, '(^|/)[._]') as is_marked_ignorable,
        regexp_matches(lower(located.source_file), '\.(parquet|parq|pq)$') as looks_like_parquet
    from located
    left join raw_tables
        on split_part(located.source_file, '/', 1) = raw_tables.raw_table
        and located.source_file like '%/%'

),

dated as (

    select
        *,
        case
            when partition_key is not null and is_read
                and split_part(partition_folder, '=', 1) = partition_key
                then try_cast(nullif(regexp_extract(partition_folder, '^[^=]+=(\d{4}-\d{2}-\d{2})$', 1), '') as date)
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

    select unnest({{ checker }}((select list(filename order by filename) from to_check)), recursive := false)
        as file_check

),

checks as (

    select
        file_check.file as filename,
        file_check.error as read_error,
        file_check.columns as file_columns
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

file_schema as (

    select
        dated.filename,
        dated.raw_table,
        unnest(checks.file_columns, recursive := true)
    from dated
    inner join checks
        on dated.filename = checks.filename
    where checks.read_error is null

),

contract_checked as (

    select
        files.filename,
        contract.column_name,
        contract.data_type,
        file_schema.duckdb_type,
        exists (
            select 1 from accepted
            where accepted.data_type = contract.data_type and file_schema.duckdb_type like accepted.duckdb_type
        ) as type_ok
    from (select distinct filename, raw_table from file_schema) as files
    inner join contract
        on files.raw_table = contract.raw_table
    left join file_schema
        on files.filename = file_schema.filename and contract.column_name = file_schema.name

),

schema_problems as (

    select
        filename,
        column_name,
        case
            when duckdb_type is null then 'column ' || column_name || ' is missing (expected ' || data_type || ')'
            else 'column ' || column_name || ' is ' || replace(duckdb_type, '"', '') || ', expected '
                || data_type || case when data_type = 'timestamp with time zone'
                    and duckdb_type like 'TIMESTAMP%' then ' (an instant, UTC-adjusted: a naive local'
                    || ' time is ambiguous)' else '' end
        end as problem
    from contract_checked
    where not type_ok
    union all
    -- DuckDB binds column names ignoring case: which of two such columns the models would read
    -- depends on their order in the file
    select
        filename,
        lower(name) as column_name,
        'columns ' || string_agg(name, ' and ' order by name)
        || ' differ only in letter case, so the models cannot tell which is '
        || lower(name) || ': rename or drop one' as problem
    from file_schema
    group by filename, lower(name)
    having count(*) > 1
    union all
    select
        filename,
        name as column_name,
        'column ' || name || ' has a name the models add when they read the file '
        || '(the file name and row of each row): rename or drop it' as problem
    from file_schema
    where lower(name) in ('filename', 'file_row_number')

),

schema_problem_lists as (

    select
        filename,
        list(problem order by column_name, problem) as schema_problems
    from schema_problems
    group by filename

),

final as (

    select
        dated.source_file,
        dated.raw_table,
        dated.partition_date,
        dated.file_bytes,
        dated.file_modified_at,
        case
            when dated.is_read then 'read'
            when dated.is_marked_ignorable then 'ignored'
            else 'not read'
        end as disposition,
        dated.is_read,
        -- what is wrong with where the file lies (NULL: nothing)
        case
            when not dated.is_read and dated.is_marked_ignorable then null
            when dated.raw_table is null then
                'not read: the raw folder holds only the folders cases, events_log, staffing_schedule and '
                || 'calendar_dim - move it there, delete it, or start its name with _ to have it ignored'
            when not dated.is_read and dated.looks_like_parquet
                and regexp_matches(dated.source_file,
                    case when dated.partition_key is null then '^[^/]+/[^/]+$' else '^[^/]+/[^/]+/[^/]+$' end)
                then 'not read: the models read only files named <name>.parquet (lower case) - rename it to '
                    || regexp_replace(regexp_extract(dated.source_file, '[^/]+$'), '\.[^.]+$', '') || '.parquet'
            when not dated.is_read then
                'not read: the models read only '
                || case when dated.partition_key is null then dated.raw_table || '/<name>.parquet'
                   else dated.raw_table || '/' || dated.partition_key || '=YYYY-MM-DD/<name>.parquet' end
                || ' - move it there or delete it'
            when dated.partition_key is not null and dated.partition_date is null then
                'partition folder ' || dated.partition_folder || ' is not ' || dated.partition_key
                || '=YYYY-MM-DD - rename the folder'
        end as placement_problem,
        case when dated.is_read then checks.read_error is null end as is_readable,
        checks.read_error,
        checks.file_columns,
        coalesce(schema_problem_lists.schema_problems, []) as schema_problems,
        dated.filename,
        {{ ops_sla.run_marker() }} as listed_at
    from dated
    left join checks
        on dated.filename = checks.filename
    left join schema_problem_lists
        on dated.filename = schema_problem_lists.filename

)

select * from final
order by source_file
