-- Every file under the raw folder as this run finds it (raw_file_listing), one row each, and
-- what is wrong with it: where it lies, whether DuckDB can read it, how its columns break the
-- contract (docs/raw-contract.md). The raw models load the files it lists; the tests in
-- tests/raw_files/ name each bad file, so a bad file stops every model that depends on it.

{{ config(materialized='table') }}

with

listing as (

    select * from {{ ref('raw_file_listing') }}

),

contract (raw_table, column_name, data_type, is_optional) as (

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

file_columns as (

    select
        filename,
        raw_table,
        {{ ops_sla.unnest_list('file_columns') }} as file_column
    from listing
    where is_read and read_error is null

),

file_schema as (

    select
        file_columns.filename,
        file_columns.raw_table,
        file_columns.file_column.name,
        file_columns.file_column.duckdb_type
    from file_columns

),

checked_files as (

    select distinct
        filename,
        raw_table
    from file_schema

),

contract_checked as (

    select
        checked_files.filename,
        contract.column_name,
        contract.data_type,
        contract.is_optional,
        file_schema.duckdb_type,
        (file_schema.duckdb_type is null and contract.is_optional) or exists (
            select 1 from accepted
            where accepted.data_type = contract.data_type and file_schema.duckdb_type like accepted.duckdb_type
        ) as type_ok
    from checked_files
    inner join contract
        on checked_files.raw_table = contract.raw_table
    left join file_schema
        on checked_files.filename = file_schema.filename and contract.column_name = file_schema.name

),

schema_problems as (

    select
        filename,
        column_name,
        case
            when duckdb_type is null then 'column ' || column_name || ' is missing (expected ' || data_type || ')'
            else
                'column ' || column_name || ' is ' || replace(duckdb_type, '"', '') || ', expected '
                || data_type || case
                    when
                        data_type = 'timestamp with time zone'
                        and duckdb_type like 'TIMESTAMP%'
                        then
                            ' (an instant, UTC-adjusted: a naive local'
                            || ' time is ambiguous)'
                    else ''
                end
        end as problem
    from contract_checked
    where not type_ok
    union all
    -- DuckDB binds column names ignoring case: which of two such columns the models would read
    -- depends on their order in the file
    select
        filename,
        lower(name) as column_name,
        'columns ' || {{ ops_sla.ordered_string_agg('name', "' and '", ['name']) }}
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
        {{ ops_sla.ordered_list('problem', ['column_name', 'problem']) }} as schema_problems
    from schema_problems
    group by filename

),

final as (

    select
        listing.source_file,
        listing.raw_table,
        listing.partition_date,
        listing.file_bytes,
        listing.file_modified_at,
        case
            when listing.is_read then 'read'
            when listing.is_marked_ignorable then 'ignored'
            else 'not read'
        end as disposition,
        listing.is_read,
        -- what is wrong with where the file lies (NULL: nothing)
        case
            when not listing.is_read and listing.is_marked_ignorable then null
            when listing.raw_table is null
                then
                    'not read: the raw folder holds only the folders cases, events_log, staffing_schedule and '
                    || 'calendar_dim - move it there, delete it, or start its name with _ to have it ignored'
            when
                not listing.is_read and listing.looks_like_parquet
                and {{ ops_sla.matches_regex(
                    'listing.source_file',
                    "case when listing.partition_key is null then '^[^/]+/[^/]+$' else '^[^/]+/[^/]+/[^/]+$' end"
                ) }}
                then
                    'not read: the models read only files named <name>.parquet (lower case) - rename it to '
                    || regexp_replace(regexp_extract(listing.source_file, '([^/]+)$', 1), '\.[^.]+$', '') || '.parquet'
            when not listing.is_read
                then
                    'not read: the models read only '
                    || case
                        when listing.partition_key is null then listing.raw_table || '/<name>.parquet'
                        else listing.raw_table || '/' || listing.partition_key || '=YYYY-MM-DD/<name>.parquet'
                    end
                    || ' - move it there or delete it'
            when listing.partition_key is not null and listing.partition_date is null then
                'partition folder ' || listing.partition_folder || ' is not ' || listing.partition_key
                || '=YYYY-MM-DD - rename the folder'
        end as placement_problem,
        case when listing.is_read then listing.read_error is null end as is_readable,
        listing.read_error,
        listing.file_columns,
        coalesce(schema_problem_lists.schema_problems, {{ ops_sla.empty_list('string') }}) as schema_problems,
        listing.filename,
        {{ ops_sla.run_marker() }} as listed_at
    from listing
    left join schema_problem_lists
        on listing.filename = schema_problem_lists.filename

)

select * from final
