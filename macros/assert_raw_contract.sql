{#- The raw contract (docs/raw-contract.md), checked before anything is built: an on-run-start hook
    that fails with one message naming every bad file, column and date. Nothing reads the
    data until the files are readable parquet with the contract's columns and types.
    Row-level problems of events are not checked here: they are quarantined with a reason
    (int_events_classified). See DECISIONLOG.md, "Bad input catalogue". -#}

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

{#- The files the models read of one raw table, with their size and modification time, as a
    subquery: (filename as DuckDB reports it, file_bytes, file_modified_at). In `dbt run` and
    `dbt build`, the files of cases and events_log as the raw-contract hook listed and checked
    them at the start of this run (ops_sla_meta.raw_files_listed): a file that arrives while
    the run is going is left to the next run, which checks it; otherwise the folder now. -#}
{% macro raw_file_stats(table) -%}
    {%- if ops_sla.raw_files_listed_this_run() and table in ('cases', 'events_log') -%}
    (select filename, file_bytes, file_modified_at from ops_sla_meta.raw_files_listed
     where invocation_id = {{ ops_sla.sql_literal(invocation_id) }} and raw_table = {{ ops_sla.sql_literal(table) }})
    {%- else -%}
    (select filename, size as file_bytes, last_modified as file_modified_at
     from read_blob({{ ops_sla.sql_literal(ops_sla.raw_tables()[table].pattern) }}))
    {%- endif -%}
{%- endmacro %}

{#- True when this invocation's raw-contract hook checked the raw folder and recorded the case
    and event files it listed (record_listed_raw_files): `dbt run` and `dbt build`. -#}
{% macro raw_files_listed_this_run() -%}
    {{ return(execute and flags.WHICH in ('run', 'build')) }}
{%- endmacro %}

{#- SQL of the raw-contract hook's last step: ops_sla_meta.raw_files_listed, the case and event
    files it listed (and checked, unless loaded before and unchanged), for the raw models to
    load from - `listed` holds a SQL row (raw_table, filename, file_bytes, file_modified_at)
    per file. -#}
{% macro record_listed_raw_files(listed) -%}
    create schema if not exists ops_sla_meta;
    create or replace table ops_sla_meta.raw_files_listed as
    select
        cast(null as varchar) as invocation_id,
        cast(null as varchar) as raw_table,
        cast(null as varchar) as filename,
        cast(null as bigint) as file_bytes,
        cast(null as timestamptz) as file_modified_at
    where false
    {%- if listed %}
    union all
    select {{ ops_sla.sql_literal(invocation_id) }}, *
    from (values
        {%- for row in listed %}
        {{ row }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
    {%- endif %}
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

{#- SQL: the text of the SQL expression `expression` as a SQL string literal, as sql_literal()
    writes it (for a query whose rows are pasted into later queries: one Jinja macro call per
    row, for 370 files, took longer than the query). -#}
{% macro sql_literal_in_sql(expression) -%}
    '''' || replace({{ expression }}, '''', '''''') || ''''
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

{% macro assert_raw_contract() %}
    {%- if ops_sla.raw_files_listed_this_run() -%}
        {%- set raw_dir = ops_sla.raw_dir() -%}
        {%- set tables = ops_sla.raw_tables() -%}
        {%- set prefix = ops_sla.sql_literal(raw_dir ~ '/') -%}
        {#- the contract's columns and types: data_type of the ops_export source columns -#}
        {%- set contract = [] -%}
        {%- for source in graph.sources.values() if source.source_name == 'ops_export' -%}
            {%- for column in source.columns.values() if column.data_type -%}
                {%- do contract.append("(" ~ ops_sla.sql_literal(source.name) ~ ", "
                    ~ ops_sla.sql_literal(column.name) ~ ", " ~ ops_sla.sql_literal(column.data_type | lower) ~ ")") -%}
            {%- endfor -%}
        {%- endfor -%}

        {#- 1. every parquet file is where the models read it and is a parquet file at all -#}
        {#- the case and event files already loaded: an incremental run's models never read
            their values again. A file loaded since ops-sla records each file's size and
            modification time, and still of that size and time, passed every check of this
            hook when it was loaded and is not checked again; one that changed is (and the
            guard assert_loaded_raw_files_unchanged stops the run on it, after this hook) -#}
        {%- set loaded_tables = [] if flags.FULL_REFRESH
            else ops_sla.raw_file_tables_in_warehouse() | selectattr('has_source_file') | list -%}
        {#- raw_cases, when it holds files loaded before (none on a full refresh) -#}
        {%- set loaded_cases = loaded_tables | selectattr('table', 'equalto', 'cases')
            | map(attribute='relation') | first | default(none) -%}
        {%- set files_sql -%}
            with
            loaded as (
                {%- for table in loaded_tables %}
                {%- if table.has_file_stats %}
                select * from {{ ops_sla.loaded_raw_file_stats(table.relation) }}
                {%- else %}
                select distinct
                    source_file,
                    cast(null as bigint) as source_file_bytes,
                    cast(null as timestamptz) as source_file_modified_at
                from {{ table.relation }}
                {%- endif %}
                union all
                {%- endfor %}
                select
                    cast(null as varchar) as source_file,
                    cast(null as bigint) as source_file_bytes,
                    cast(null as timestamptz) as source_file_modified_at
                where false
            ),
            {#- the models' own pattern (DuckDB follows a symlinked partition folder there, not
                in `**`) and every parquet file below the table's folder (to name misplaced ones) -#}
            files as (
                {%- set listings = [] -%}
                {%- for table, spec in tables.items() -%}
                    {%- do listings.append((table, spec.key, spec.pattern)) -%}
                    {%- do listings.append((table, spec.key, raw_dir ~ '/' ~ table ~ '/**/*.parquet')) -%}
                {%- endfor %}
                {%- for table, key, pattern in listings %}
                {% if not loop.first %}union {% endif -%}
                select
                    {{ ops_sla.sql_literal(table) }} as raw_table,
                    {{ ops_sla.sql_literal(key or '') }} as partition_key,
                    filename as file,
                    size,
                    last_modified
                from read_blob({{ ops_sla.sql_literal(pattern) }})
                {%- endfor %}
            ),
            located as (
                select
                    *,
                    replace(file, {{ prefix }}, '') as relative_file,
                    case
                        when partition_key = '' then regexp_matches(replace(file, {{ prefix }}, ''), '^[^/]+/[^/]+$')
                        else regexp_matches(replace(file, {{ prefix }}, ''), '^[^/]+/[^/]+/[^/]+$')
                    end as is_read,
                    regexp_extract(replace(file, {{ prefix }}, ''), '^[^/]+/([^/]+)/', 1) as partition_folder
                from files
            )
            select
                located.relative_file,
                {{ ops_sla.sql_literal_in_sql('located.file') }} as file_literal,
                -- the SQL row record_listed_raw_files writes for a case or event file (built here:
                -- a Jinja macro call per file costs more than the query)
                case when located.raw_table in ('cases', 'events_log') then
                    '(' || {{ ops_sla.sql_literal_in_sql('located.raw_table') }}
                    || ', ' || {{ ops_sla.sql_literal_in_sql('located.file') }}
                    || ', ' || coalesce(cast(located.size as varchar), 'null')
                    || ', ' || coalesce('cast(''' || strftime(located.last_modified at time zone 'UTC',
                        '%Y-%m-%d %H:%M:%S.%f') || '+00'' as timestamptz)', 'null') || ')'
                end as listed_row,
                loaded.source_file is not null as is_loaded,
                coalesce(
                    loaded.source_file_bytes = located.size and loaded.source_file_modified_at = located.last_modified,
                    false
                ) as is_unchanged,
                case
                    when not located.is_read then
                        'not read: the models read only '
                        || case when located.partition_key = '' then located.raw_table || '/<name>.parquet'
                           else located.raw_table || '/' || located.partition_key || '=YYYY-MM-DD/<name>.parquet' end
                    when located.partition_key <> ''
                        and try_cast(nullif(regexp_extract(located.partition_folder,
                            '^' || located.partition_key || '=(\d{4}-\d{2}-\d{2})$', 1), '') as date) is null
                        then 'partition folder ' || located.partition_folder || ' is not '
                            || located.partition_key || '=YYYY-MM-DD'
                end as problem
            from located
            left join loaded
                on located.relative_file = loaded.source_file
            order by located.relative_file
        {%- endset -%}
        {%- set problems = [] -%}
        {#- the files checked below: all but the loaded, unchanged ones. DuckDB reads the
            schema (the footer) of every file of a table to bind the models' queries, so these
            are checked for a readable schema and the contract's columns and types; for their
            values, those this run loads (a case or event file loaded before is never read
            again) -#}
        {%- set readable = [] -%}
        {%- set to_read = [] -%}
        {%- set cases_to_read = [] -%}
        {%- set listed = [] -%}
        {%- for row in run_query(files_sql).rows -%}
            {%- if row['listed_row'] -%}
                {%- do listed.append(row['listed_row']) -%}
            {%- endif -%}
            {%- if row['problem'] -%}
                {%- do problems.append(row['relative_file'] ~ ": " ~ row['problem']) -%}
            {%- elif not row['is_unchanged'] -%}
                {%- do readable.append(row['file_literal']) -%}
                {%- if not row['is_loaded'] -%}
                    {%- do to_read.append(row['file_literal']) -%}
                    {%- if row['relative_file'].startswith('cases/') -%}
                        {%- do cases_to_read.append(row['file_literal']) -%}
                    {%- endif -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}

        {#- ... a parquet file at all: the PAR1 magic bytes at both ends -#}
        {%- if readable -%}
            {%- set magic_sql -%}
                select
                    replace(filename, {{ prefix }}, '') as relative_file,
                    {{ ops_sla.sql_literal_in_sql('filename') }} as file_literal,
                    size
                from read_blob([{{ readable | join(", ") }}])
                where not (size >= 12 and content[1:4] = 'PAR1'::blob and content[-4:] = 'PAR1'::blob)
                order by relative_file
            {%- endset -%}
            {%- for row in run_query(magic_sql).rows -%}
                {%- do problems.append(row['relative_file'] ~ ": not a readable parquet file (" ~ row['size']
                    ~ " bytes, no PAR1 header/footer): truncated or corrupt - deliver it again") -%}
                {%- for files in [readable, to_read, cases_to_read] if row['file_literal'] in files -%}
                    {%- do files.remove(row['file_literal']) -%}
                {%- endfor -%}
            {%- endfor -%}
        {%- endif -%}

        {#- ... and DuckDB can read its schema and, for the files this run loads, its values: a
            damaged footer behind intact PAR1 bytes fails the schema query below, or a model,
            with an error that names no file -#}
        {%- if readable -%}
            {%- set probe = 'ops_sla_unreadable_parquet_files' -%}
            {#- the profile's plugins, not duckdb_functions(): listing DuckDB's functions took
                ~0.02 s of every run -#}
            {%- if 'ops_sla.duckdb_plugin' not in (target.plugins or []) | map(attribute='module') | list -%}
                {{ exceptions.raise_compiler_error(
                    "ops-sla: the dbt profile does not load the plugin ops_sla.duckdb_plugin, which gives "
                    ~ "the DuckDB connection the function " ~ probe ~ ": add plugins: [{module: "
                    ~ "ops_sla.duckdb_plugin}] to the profile, as the project's profiles.yml does"
                ) }}
            {%- endif -%}
            {%- set unreadable_sql -%}
                select
                    replace(problem.file, {{ prefix }}, '') as relative_file,
                    problem.file,
                    problem.error
                from (select unnest({{ probe }}(
                    [{{ readable | join(", ") }}]::varchar[], [{{ to_read | join(", ") }}]::varchar[]
                )) as problem)
                order by relative_file
            {%- endset -%}
            {%- for row in run_query(unreadable_sql).rows -%}
                {%- do problems.append(row['relative_file'] ~ ": not a readable parquet file (DuckDB: "
                    ~ row['error'] ~ "): truncated or corrupt - deliver it again") -%}
                {%- do readable.remove(ops_sla.sql_literal(row['file'])) -%}
            {%- endfor -%}
        {%- endif -%}

        {#- 2. the contract's columns, with a type that means the same thing -#}
        {%- if readable -%}
            {%- set schema_sql -%}
                with
                contract (raw_table, column_name, data_type) as (
                    values {{ contract | join(", ") }}
                ),
                accepted (data_type, duckdb_type) as (
                    values
                        ('varchar', 'VARCHAR'),
                        ('timestamp with time zone', 'TIMESTAMP WITH TIME ZONE'),
                        {#- pandas' datetime64[ns, UTC]: an instant too (read to the microsecond) #}
                        ('timestamp with time zone', 'TIMESTAMPTZ_NS'),
                        ('date', 'DATE'),
                        ('boolean', 'BOOLEAN'),
                        ('double', 'DOUBLE'), ('double', 'FLOAT'), ('double', 'DECIMAL%'),
                        ('double', 'TINYINT'), ('double', 'SMALLINT'), ('double', 'INTEGER'), ('double', 'BIGINT'),
                        {%- for integer_type in ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT',
                                                 'UTINYINT', 'USMALLINT', 'UINTEGER'] %}
                        ('integer', '{{ integer_type }}'), ('bigint', '{{ integer_type }}'){{ "," if not loop.last }}
                        {%- endfor %}
                ),
                schema as (
                    select
                        file_name as file,
                        replace(file_name, {{ prefix }}, '') as relative_file,
                        split_part(replace(file_name, {{ prefix }}, ''), '/', 1) as raw_table,
                        name as column_name,
                        duckdb_type
                    from parquet_schema([{{ readable | join(", ") }}])
                ),
                files as (
                    select distinct
                        file,
                        relative_file,
                        raw_table
                    from schema
                ),
                checked as (
                    select
                        files.relative_file,
                        contract.column_name,
                        contract.data_type,
                        schema.duckdb_type,
                        exists (
                            select 1 from accepted
                            where accepted.data_type = contract.data_type and schema.duckdb_type like accepted.duckdb_type
                        ) as type_ok
                    from files
                    inner join contract
                        on files.raw_table = contract.raw_table
                    left join schema
                        on files.file = schema.file and contract.column_name = schema.column_name
                ),
                problems as (
                    select
                        relative_file,
                        column_name,
                        case
                            when duckdb_type is null then 'column ' || column_name || ' is missing (expected ' || data_type || ')'
                            else 'column ' || column_name || ' is ' || replace(duckdb_type, '"', '') || ', expected '
                                || data_type || case when data_type = 'timestamp with time zone'
                                    and duckdb_type like 'TIMESTAMP%' then ' (an instant, UTC-adjusted: a naive local'
                                    || ' time is ambiguous)' else '' end
                        end as problem
                    from checked
                    where not type_ok
                    union all
                    -- DuckDB binds column names ignoring case: which of two such columns the
                    -- models would read depends on their order in the file
                    select
                        relative_file,
                        lower(column_name) as column_name,
                        'columns ' || string_agg(column_name, ' and ' order by column_name)
                        || ' differ only in letter case, so the models cannot tell which is '
                        || lower(column_name) || ': rename or drop one' as problem
                    from schema
                    group by relative_file, lower(column_name)
                    having count(*) > 1
                    union all
                    select
                        relative_file,
                        column_name,
                        'column ' || column_name || ' has a name the models add when they read the file '
                        || '(the file name and row of each row): rename or drop it' as problem
                    from schema
                    where raw_table in ('cases', 'events_log') and lower(column_name) in ('filename', 'file_row_number')
                )
                select
                    relative_file,
                    problem
                from problems
                order by relative_file, column_name
            {%- endset -%}
            {%- for row in run_query(schema_sql).rows -%}
                {%- do problems.append(row['relative_file'] ~ ": " ~ row['problem']) -%}
            {%- endfor -%}
        {%- endif -%}
        {%- if problems -%}
            {{ ops_sla.raise_raw_problems(
                "raw files that break the raw contract (docs/raw-contract.md)", problems,
                "Fix or re-deliver these files; the columns and types are in models/raw/_raw__sources.yml."
            ) }}
        {%- endif -%}

        {#- 3. no partition date missing between the first and the last (a lost delivery) -#}
        {%- set allowed = var('partition_dates_allowed_missing', []) -%}
        {%- set gaps_sql -%}
            with
            partitions as ({{ ops_sla.raw_partition_dates(tables) }}),
            bounds as (
                select
                    raw_table,
                    min(partition_date) as first_date,
                    max(partition_date) as last_date
                from partitions
                group by raw_table
            ),
            missing as (
                select
                    bounds.raw_table,
                    cast(unnest(generate_series(bounds.first_date, bounds.last_date, interval 1 day)) as date) as missing_date
                from bounds
                except
                select
                    raw_table,
                    partition_date
                from partitions
            ),
            unexpected as (
                select
                    raw_table,
                    missing_date,
                    missing_date - cast(row_number() over (partition by raw_table order by missing_date) as integer)
                        as run_id
                from missing
                where cast(missing_date as varchar) not in ({{ ops_sla.sql_date_list(allowed) }})
            ),
            runs as (
                select
                    raw_table,
                    min(missing_date) as gap_from,
                    max(missing_date) as gap_to,
                    count(*) as days
                from unexpected
                group by raw_table, run_id
            )
            select
                runs.raw_table,
                runs.raw_table || ': no partition folder for '
                || case when runs.days = 1 then cast(runs.gap_from as varchar)
                   else cast(runs.gap_from as varchar) || '..' || cast(runs.gap_to as varchar)
                       || ' (' || runs.days || ' days)' end
                || ' between the first (' || cast(bounds.first_date as varchar) || ') and the last ('
                || cast(bounds.last_date as varchar) || ') partition' as problem
            from runs
            inner join bounds
                on runs.raw_table = bounds.raw_table
            order by runs.raw_table, runs.gap_from
        {%- endset -%}
        {%- for row in run_query(gaps_sql).rows -%}
            {%- do problems.append(row['problem']) -%}
        {%- endfor -%}
        {%- if problems -%}
            {{ ops_sla.raise_raw_problems(
                "partition dates missing from the raw export (a lost or failed delivery)", problems,
                "Deliver the missing files. If a day really had no data, deliver an empty parquet file for it "
                ~ "(zero rows, the same columns) or list the date in var partition_dates_allowed_missing."
            ) }}
        {%- endif -%}

        {#- 4. the calendar covers the data, and every case can be measured (no case quarantine:
               every raw case must reach case_sla). The cases of the files this run loads are
               read from their files; of the cases loaded before, whose other checks cannot
               change, the intakes are checked against the calendar as delivered now (it may
               have lost dates since a run that was not complete loaded them), from raw_cases -#}
        {%- set earliest = "cast(" ~ ops_sla.sql_literal(var('earliest_plausible_ts')) ~ " as timestamptz)" -%}
        {%- set intake_date = "cast(" ~ ops_sla.instant_to_local('intake_ts') ~ " as date)" -%}
        {#- a case without these cannot be grouped or measured (a NULL tier would be a group of
            its own in every mart, colliding with the roll-up rows) -#}
        {%- set required_text_columns = ['case_id', 'tier', 'case_type', 'team_tz'] -%}
        {%- set values_sql -%}
            with
            calendar as (
                select
                    min(calendar_date) as first_date,
                    max(calendar_date) as last_date
                from read_parquet({{ ops_sla.sql_literal(tables.calendar_dim.pattern) }}, union_by_name = true)
            ),
            partitions as (
                select
                    raw_table,
                    min(partition_date) as first_date,
                    max(partition_date) as last_date
                from ({{ ops_sla.raw_partition_dates(tables) }})
                group by raw_table
            ),
            coverage as (
                select
                    'calendar_dim covers ' || coalesce(cast(calendar.first_date as varchar), '(no dates)') || '..'
                    || coalesce(cast(calendar.last_date as varchar), '') || ' but the ' || partitions.raw_table
                    || ' partitions run ' || cast(partitions.first_date as varchar) || '..'
                    || cast(partitions.last_date as varchar)
                    || ': extend calendar_dim to cover every date of the data' as problem
                from partitions
                cross join calendar
                where
                    calendar.first_date is null
                    or partitions.first_date < calendar.first_date
                    or partitions.last_date > calendar.last_date
            ),
            {%- if cases_to_read %}
            cases as (
                select
                    replace(filename, {{ prefix }}, '') as relative_file,
                    {%- for column in required_text_columns %}
                    count(*) filter (where {{ column }} is null or trim({{ column }}) = '') as blank_{{ column }},
                    {%- endfor %}
                    count(*) filter (where intake_ts is null) as null_intakes,
                    count(*) filter (where intake_ts < {{ earliest }}) as early_intakes,
                    min(intake_ts) filter (where intake_ts < {{ earliest }}) as example_early_intake,
                    count(*) filter (
                        where intake_ts >= {{ earliest }}
                        and {{ intake_date }} not between calendar.first_date and calendar.last_date
                    ) as uncovered_intakes,
                    max(intake_ts) filter (
                        where intake_ts >= {{ earliest }}
                        and {{ intake_date }} not between calendar.first_date and calendar.last_date
                    ) as example_uncovered_intake,
                    -- an intake after the day following its file's date is a bad stamp (it would
                    -- become the as-of instant and age every open case)
                    any_value(file_date) as file_date,
                    count(*) filter (
                        where {{ intake_date }} between calendar.first_date and calendar.last_date
                        and intake_ts >= {{ ops_sla.after_file_date('file_date') }}
                    ) as late_intakes,
                    max(intake_ts) filter (
                        where {{ intake_date }} between calendar.first_date and calendar.last_date
                        and intake_ts >= {{ ops_sla.after_file_date('file_date') }}
                    ) as example_late_intake
                from (
                    select
                        *,
                        try_cast(regexp_extract(filename, '/intake_date=(\d{4}-\d{2}-\d{2})/[^/]+$', 1) as date)
                            as file_date
                    from read_parquet([{{ cases_to_read | join(", ") }}], filename = true, union_by_name = true)
                ) as cases_with_file_date
                cross join calendar
                group by 1
            ),
            {%- endif %}
            {%- if loaded_cases %}
            -- an intake outside the calendar's local dates lies before the UTC day after its
            -- first date or on or after the UTC day of its last (UTC offsets are within 14 h):
            -- that filter leaves few rows to convert to local dates
            loaded_cases as (
                select
                    source_file as relative_file,
                    count(*) as uncovered_intakes,
                    max(intake_ts) as example_uncovered_intake
                from {{ loaded_cases }}
                cross join calendar
                where
                    intake_ts >= {{ earliest }}
                    and (
                        intake_ts < timezone('UTC', cast(calendar.first_date as timestamp)) + interval 1 day
                        or intake_ts >= timezone('UTC', cast(calendar.last_date as timestamp))
                    )
                    and {{ intake_date }} not between calendar.first_date and calendar.last_date
                group by source_file
            ),
            {%- endif %}
            problems as (
                select problem from coverage
                {%- if cases_to_read %}
                union all
                {%- for column in required_text_columns %}
                select relative_file || ': column {{ column }} is NULL or blank in ' || blank_{{ column }} || ' row(s)'
                from cases where blank_{{ column }} > 0
                union all
                {%- endfor %}
                select relative_file || ': column intake_ts is NULL (NaT) in ' || null_intakes
                    || ' row(s): a case cannot be measured without its intake instant'
                from cases where null_intakes > 0
                union all
                select relative_file || ': column intake_ts is before earliest_plausible_ts ('
                    || {{ ops_sla.sql_literal(var('earliest_plausible_ts')) }} || ') in ' || early_intakes
                    || ' row(s), e.g. ' || cast(example_early_intake as varchar)
                from cases where early_intakes > 0
                union all
                -- (when the calendar does not cover the partitions, that one line says it all)
                select relative_file || ': column intake_ts is outside calendar_dim in ' || uncovered_intakes
                    || ' row(s), e.g. ' || cast(example_uncovered_intake as varchar)
                from cases where uncovered_intakes > 0 and not exists (select 1 from coverage)
                union all
                select relative_file || ': column intake_ts is after the day following the file''s intake_date ('
                    || cast(file_date as varchar) || ') in ' || late_intakes || ' row(s), e.g. '
                    || cast(example_late_intake as varchar)
                from cases where late_intakes > 0
                {%- endif %}
                {%- if loaded_cases %}
                union all
                select relative_file || ': column intake_ts is outside calendar_dim in ' || uncovered_intakes
                    || ' row(s), e.g. ' || cast(example_uncovered_intake as varchar)
                from loaded_cases where not exists (select 1 from coverage)
                {%- endif %}
            )
            select problem from problems
    {%- endset -%}
        {%- for row in run_query(values_sql).rows -%}
            {%- do problems.append(row['problem']) -%}
        {%- endfor -%}
        {%- if problems -%}
            {{ ops_sla.raise_raw_problems(
                "raw data the SLA clocks cannot measure", problems,
                "Every raw case must reach case_sla with a measurable intake, so these stop the build: "
                ~ "fix the export, or extend calendar_dim."
            ) }}
        {%- endif -%}
        {{ ops_sla.record_listed_raw_files(listed) }}
    {%- else -%}
    select 1
    {%- endif %}
{% endmacro %}

{#- SQL: the distinct (raw_table, partition_date) of the partitioned raw tables, from the
    folder names of the files the models read. -#}
{% macro raw_partition_dates(tables) -%}
    {%- for table, spec in tables.items() if spec.key %}
    {% if not loop.first %}union {% endif -%}
    select distinct
        {{ ops_sla.sql_literal(table) }} as raw_table,
        cast(regexp_extract(file, '/{{ spec.key }}=(\d{4}-\d{2}-\d{2})/[^/]+$', 1) as date) as partition_date
    from glob({{ ops_sla.sql_literal(spec.pattern) }})
    {%- endfor %}
{%- endmacro %}

{#- A SQL list of date strings (never empty: '' matches no date). -#}
{% macro sql_date_list(dates) -%}
    ''{%- for d in dates %}, {{ ops_sla.sql_literal(d | string) }}{%- endfor -%}
{%- endmacro %}
