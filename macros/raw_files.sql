{#- The raw folder and its tables (docs/raw-contract.md). The files themselves are listed and
    checked by the model raw_file_inventory and the tests on it (tests/raw_files/). -#}

{#- The raw folder, $OPS_SLA_RAW_DIR (default data/raw), spelled as DuckDB names the files it
    globs (file names are made relative to it): no empty or `.` segments, `x/..` resolved
    (a leading `..` kept), no trailing slash - so `./data//raw/` is `data/raw`. -#}
{% macro raw_dir() -%}
    {%- set configured = env_var('OPS_SLA_RAW_DIR', 'data/raw') -%}
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

{#- The optional contract columns of source table `table` (meta optional: true), as a relation
    of no rows with those columns, to `union all by name` under the rows read from the files:
    a column no file has then reads NULL instead of failing to bind. -#}
{% macro optional_raw_columns(table) -%}
    {{ return(adapter.dispatch('optional_raw_columns', 'ops_sla')(table)) }}
{%- endmacro %}

{% macro duckdb__optional_raw_columns(table) -%}
    {%- set columns = [] -%}
    {%- for source in (graph.sources.values() if execute else []) if source.source_name == 'ops_export' and source.name == table -%}
        {%- for column in source.columns.values() if (column.meta or {}).get('optional', false) -%}
            {%- do columns.append('cast(null as ' ~ column.data_type ~ ') as ' ~ column.name) -%}
        {%- endfor -%}
    {%- endfor -%}
    select {{ columns | join(', ') if columns else 'null as no_optional_column' }} where false
{%- endmacro %}

{#- Spark (prototype): the same relation of no rows (Spark SQL has no `union all by name`: the
    raw models will need a by-position union over an explicit column list on Spark). -#}
{% macro spark__optional_raw_columns(table) -%}
    {%- set columns = [] -%}
    {%- for source in (graph.sources.values() if execute else []) if source.source_name == 'ops_export' and source.name == table -%}
        {%- for column in source.columns.values() if (column.meta or {}).get('optional', false) -%}
            {%- do columns.append('cast(null as ' ~ ops_sla.spark_type(column.data_type) ~ ') as ' ~ column.name) -%}
        {%- endfor -%}
    {%- endfor -%}
    select {{ columns | join(', ') if columns else 'null as no_optional_column' }} where false
{%- endmacro %}

{#- The Spark type of a contract (DuckDB) type name. -#}
{% macro spark_type(duckdb_type) -%}
    {{- {'varchar': 'string', 'timestamp with time zone': 'timestamp', 'timestamptz': 'timestamp',
         'timestamp': 'timestamp_ntz', 'integer': 'int', 'double': 'double', 'bigint': 'bigint',
         'date': 'date', 'boolean': 'boolean'}.get(duckdb_type | lower, duckdb_type) -}}
{%- endmacro %}
