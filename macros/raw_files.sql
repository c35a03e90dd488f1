{#- The raw folder and its tables (docs/raw-contract.md). The files themselves are listed and
    checked by the model raw_file_inventory and the tests on it (tests/raw_files/). -#}

{#- The raw folder, $OPS_SLA_RAW_DIR (default data/raw), spelled as DuckDB names the files it
    globs (file names are made relative to it): no empty or `.` segments, `x/..` resolved
    (a leading `..` kept), no trailing slash - so `./data//raw/` is `data/raw`. A URI is kept
    as given (without a trailing slash). -#}
{% macro raw_dir() -%}
    {%- set configured = env_var('OPS_SLA_RAW_DIR', 'data/raw') -%}
    {#- a URI (s3a://, abfss://, dbfs:/ on a Spark cluster) is taken as given -#}
    {%- if '://' in configured or configured.startswith('dbfs:') -%}
        {{ return(configured.rstrip('/')) }}
    {%- endif -%}
    {%- set absolute = configured.startswith('/') -%}
    {%- set parts = [] -%}
    {%- for part in configured.split('/') if part not in ('', '.') -%}
        {%- if part == '..' and parts and parts[-1] != '..' -%}
            {%- do parts.pop() -%}
        {%- elif not (part == '..' and absolute and not parts) -%}
            {%- do parts.append(part) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(('/' if absolute else '') ~ parts | join('/') or ('/' if absolute else '.')) }}
{%- endmacro %}

{#- Where each raw table's files live; `key` is the hive partition folder (<key>=YYYY-MM-DD). -#}
{% macro raw_tables() %}
    {%- set raw_dir = ops_sla.raw_dir() -%}
    {{ return({
        'cases': {'pattern': raw_dir ~ '/cases/*/*.parquet', 'key': 'intake_date'},
        'events_log': {'pattern': raw_dir ~ '/events_log/*/*.parquet', 'key': 'ingestion_date'},
        'staffing_schedule': {'pattern': raw_dir ~ '/staffing_schedule/*.parquet', 'key': none},
        'calendar_dim': {'pattern': raw_dir ~ '/calendar_dim/*.parquet', 'key': none},
    }) }}
{% endmacro %}

{#- The parquet files of one raw table in the folder now, with their size and modification
    time, as a subquery: (filename as DuckDB reports it, file_bytes, file_modified_at). For the
    guard assert_loaded_raw_files_unchanged (an on-run-start hook, before any model); the
    models read the files of this run from raw_file_inventory. -#}
{% macro raw_file_stats(table) -%}
    (select filename, size as file_bytes, last_modified as file_modified_at
     from read_blob({{ ops_sla.sql_literal(ops_sla.raw_tables()[table].pattern) }}))
{%- endmacro %}

{#- The files a raw table (raw_cases, raw_events_log) has loaded, with the size and
    modification time recorded when it loaded them, as a subquery: (source_file,
    source_file_bytes, source_file_modified_at). Every row of a file carries the same size and
    time, so it groups by file (a three-column distinct over the rows cost more). -#}
{% macro loaded_raw_file_stats(relation) -%}
    (select
        source_file,
        any_value(source_file_bytes) as source_file_bytes,
        any_value(source_file_modified_at) as source_file_modified_at
     from {{ relation }}
     group by source_file)
{%- endmacro %}

{#- A SQL string literal. -#}
{% macro sql_literal(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}

{#- Raise one compiler error listing the problems (at most 25 lines). -#}
{% macro raise_raw_problems(headline, problems, fix) %}
    {%- set shown = problems[:25] -%}
    {%- set more = ["... and " ~ (problems | length - 25) ~ " more"] if problems | length > 25 else [] -%}
    {{ exceptions.raise_compiler_error(
        "ops-sla: " ~ headline ~ " in OPS_SLA_RAW_DIR=" ~ env_var('OPS_SLA_RAW_DIR', 'data/raw')
        ~ "; nothing was built:\n  - " ~ (shown + more) | join("\n  - ") ~ "\n" ~ fix
    ) }}
{% endmacro %}

{#- raw_cases and raw_events_log as the warehouse holds them: a list of {table (cases or
    events_log), relation, has_source_file, has_file_stats (the size and modification time of
    each file, recorded since ops-sla guards loaded files)}, one per table that exists (none
    before the first build). One query, not adapter calls: adapter.get_columns_in_relation, in an
    on-run-start hook, leaves a transaction open that rolls back this build's log row. -#}
{% macro raw_file_tables_in_warehouse() %}
    {%- set nodes = {} -%}
    {%- for table in ['cases', 'events_log'] -%}
        {%- set node = graph.nodes['model.' ~ project_name ~ '.raw_' ~ table] -%}
        {%- do nodes.update({node.alias: {'table': table, 'node': node}}) -%}
    {%- endfor -%}
    {%- set first = (nodes.values() | first).node -%}
    {%- set found_sql -%}
        select
            table_name,
            bool_or(column_name = 'source_file') as has_source_file,
            bool_or(column_name = 'source_file_modified_at') as has_file_stats
        from duckdb_columns()
        where database_name = {{ ops_sla.sql_literal(first.database) }}
            and schema_name = {{ ops_sla.sql_literal(first.schema) }}
        group by table_name
    {%- endset -%}
    {%- set tables = [] -%}
    {%- for row in run_query(found_sql).rows if row['table_name'] in nodes -%}
        {%- set found = nodes[row['table_name']] -%}
        {%- do tables.append({'table': found.table, 'relation': found.node.relation_name,
                              'has_source_file': row['has_source_file'], 'has_file_stats': row['has_file_stats']}) -%}
    {%- endfor -%}
    {{ return(tables) }}
{% endmacro %}

{#- The contract's columns and types, as SQL rows (raw_table, column_name, data_type,
    is_optional): the data_type of the ops_export source columns (models/raw/_raw__sources.yml);
    a column with meta `optional: true` may be absent from a file (its rows read NULL). -#}
{% macro raw_contract_rows() -%}
    {%- set rows = [] -%}
    {%- for source in (graph.sources.values() if execute else []) if source.source_name == 'ops_export' -%}
        {%- for column in source.columns.values() if column.data_type -%}
            {%- do rows.append("(" ~ ops_sla.sql_literal(source.name) ~ ", "
                ~ ops_sla.sql_literal(column.name) ~ ", " ~ ops_sla.sql_literal(column.data_type | lower) ~ ", "
                ~ ((column.meta or {}).get('optional', false) | string | lower) ~ ")") -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(rows | join(",\n        ") if rows else "(null, null, null, null)") }}
{%- endmacro %}

{#- The rows of raw table `table` (cases, events_log, staffing_schedule, calendar_dim) as read
    from its files, with `filename` (the file, as raw_file_listing names it) and
    `file_row_number` (the row's position in it, from 0), and the hive partition key of cases and
    events_log: the body of the raw models' `source` CTE. An optional contract column (meta
    optional: true) no file has reads NULL. -#}
{% macro raw_rows(table) -%}
    {{ return(adapter.dispatch('raw_rows', 'ops_sla')(table)) }}
{%- endmacro %}

{#- DuckDB: the source's external_location (read_parquet with filename and file_row_number),
    and `union all by name` with a relation of no rows holding the optional columns. -#}
{% macro duckdb__raw_rows(table) -%}
    {%- set optional = ops_sla.optional_raw_columns(table) -%}
    select * from {{ source('ops_export', table) }}
    {%- if optional %}
    -- an optional contract column no file has reads NULL
    union all by name
    select {{ optional | map(attribute='null_column') | join(', ') }} where false
    {%- endif %}
{%- endmacro %}

{#- Spark: the table's folder read as parquet (partition discovery gives the hive key), the file
    and row from the `_metadata` column; an optional column no file has is added as NULL (the
    files' columns are read at run time: Spark SQL has no `union all by name`). File paths are
    Spark's URIs without the `file:` scheme. -#}
{% macro spark__raw_rows(table) -%}
    {%- set relation = ops_sla.spark_raw_relation(table) -%}
    {%- set present = [] -%}
    {%- if execute -%}
        {%- for row in run_query('describe query select * from ' ~ relation).rows -%}
            {%- do present.append(row[0] | lower) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set missing = [] -%}
    {%- for column in ops_sla.optional_raw_columns(table) if execute and column.name | lower not in present -%}
        {%- do missing.append(column.null_column) -%}
    {%- endfor -%}
    select
        *,
        {%- for column in missing %}
        {{ column }},
        {%- endfor %}
        regexp_replace(_metadata.file_path, '^file:', '') as filename,
        _metadata.row_index as file_row_number
    from {{ relation }}
{%- endmacro %}

{#- Spark: the relation reading raw table `table`'s parquet files (a partitioned table's folder,
    so that Spark discovers the hive key; the raw models keep only the files raw_file_inventory
    reads). The raw folder must be absolute or a URI: Spark names files by absolute path. -#}
{% macro spark_raw_relation(table) -%}
    {%- set spec = ops_sla.raw_tables()[table] -%}
    {%- set raw_dir = ops_sla.raw_dir() -%}
    {%- if not (raw_dir.startswith('/') or '://' in raw_dir or raw_dir.startswith('dbfs:')) -%}
        {{ exceptions.raise_compiler_error(
            "ops-sla on Spark: OPS_SLA_RAW_DIR=" ~ env_var('OPS_SLA_RAW_DIR', 'data/raw') ~ " is a relative path; Spark "
            ~ "names the files it reads by absolute path or URI, so give the raw folder so (e.g. $PWD/data/raw, "
            ~ "s3a://bucket/raw)") }}
    {%- endif -%}
    parquet.`{{ raw_dir ~ '/' ~ table ~ ('/' if spec.key else '/*.parquet') }}`
{%- endmacro %}

{#- The optional contract columns of source table `table` (meta optional: true): a list of
    {name, null_column (a NULL of the column's type, named as the column)}. -#}
{% macro optional_raw_columns(table) -%}
    {%- set columns = [] -%}
    {%- for source in (graph.sources.values() if execute else []) if source.source_name == 'ops_export' and source.name == table -%}
        {%- for column in source.columns.values() if (column.meta or {}).get('optional', false) -%}
            {%- do columns.append({'name': column.name,
                'null_column': 'cast(null as ' ~ ops_sla.engine_type(column.data_type) ~ ') as ' ~ column.name}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#- The engine's name of a contract (DuckDB) type name: the name itself on DuckDB. -#}
{% macro engine_type(duckdb_type) -%}
    {{ return(adapter.dispatch('engine_type', 'ops_sla')(duckdb_type)) }}
{%- endmacro %}

{% macro default__engine_type(duckdb_type) -%}
    {{ return(duckdb_type) }}
{%- endmacro %}

{% macro spark__engine_type(duckdb_type) -%}
    {{- return({'varchar': 'string', 'timestamp with time zone': 'timestamp', 'timestamptz': 'timestamp',
         'timestamp': 'timestamp_ntz', 'integer': 'int', 'double': 'double', 'bigint': 'bigint',
         'date': 'date', 'boolean': 'boolean'}.get(duckdb_type | lower, duckdb_type)) -}}
{%- endmacro %}

{#- Every file under the raw folder, as a query of (filename, size, last_modified): the body of
    raw_file_listing's `folder` CTE. -#}
{% macro raw_folder_files() -%}
    {{ return(adapter.dispatch('raw_folder_files', 'ops_sla')()) }}
{%- endmacro %}

{#- DuckDB: the source raw_folder (read_blob over the folder, every file whatever its name). -#}
{% macro duckdb__raw_folder_files() -%}
    select * from {{ source('ops_export', 'raw_folder') }}
{%- endmacro %}

{#- Spark: the files each raw table's read finds (Spark SQL cannot list a folder): a file in no
    raw table's folder, or one Spark skips (a name starting with . or _), is not listed; a file
    Spark cannot read fails this model, naming it. -#}
{% macro spark__raw_folder_files() -%}
    {%- for table in ops_sla.raw_tables() %}
    select distinct
        regexp_replace(_metadata.file_path, '^file:', '') as filename,
        _metadata.file_size as size,
        _metadata.file_modification_time as last_modified
    from {{ ops_sla.spark_raw_relation(table) }}
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- What reading each file of relation `files` (column filename) finds, as a query of
    (filename, read_error: NULL when every value reads, file_columns: list of {name,
    duckdb_type}). -#}
{% macro check_parquet_files(files) -%}
    {{ return(adapter.dispatch('check_parquet_files', 'ops_sla')(files)) }}
{%- endmacro %}

{#- DuckDB: the plugin function ops_sla_check_parquet_files (ops_sla/duckdb_plugin.py) reads each
    file whole. -#}
{% macro duckdb__check_parquet_files(files) -%}
    select
        file_check.file as filename,
        file_check.error as read_error,
        file_check.columns as file_columns
    from (
        select unnest(ops_sla_check_parquet_files((select list(filename order by filename) from {{ files }})), recursive := false)
            as file_check
    )
{%- endmacro %}

{#- Spark: no per-file check (a file Spark cannot read fails the raw model reading it, naming
    the file); the columns are not listed, so raw_file_inventory finds no schema problem. -#}
{% macro spark__check_parquet_files(files) -%}
    select
        filename,
        cast(null as string) as read_error,
        cast(null as array<struct<name: string, duckdb_type: string>>) as file_columns
    from {{ files }}
{%- endmacro %}

{#- Whether `text` contains a match of regular expression `pattern` (a SQL string). -#}
{% macro matches_regex(text, pattern) -%}
    {{ return(adapter.dispatch('matches_regex', 'ops_sla')(text, pattern)) }}
{%- endmacro %}

{% macro default__matches_regex(text, pattern) -%}
    regexp_matches({{ text }}, {{ pattern }})
{%- endmacro %}

{% macro spark__matches_regex(text, pattern) -%}
    regexp_like({{ text }}, {{ pattern }})
{%- endmacro %}
