{#- Incremental runs (DECISIONLOG "Incremental runs"). Raw files are loaded once; the heavy
    models re-process what arrived or changed since the last complete, successful build,
    plus every case that is still open, and replace exactly those rows. -#}

{#- Instant of this dbt invocation: marks the rows a run loaded or (re)processed. -#}
{% macro run_marker() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}+00' as {{ ops_sla.instant_type() }})
{%- endmacro %}

{#- Incremental filter of the raw models: only the files of raw table `table` (cases,
    events_log) that raw_file_inventory listed for this run and {{ this }} has not loaded yet.
    The list is taken at run time and written into the SQL as literals, so DuckDB opens just
    those files; an anti-join against the loaded files would read every file of the history
    first. -#}
{% macro only_unloaded_raw_files(table, filename_column='filename') -%}
    {%- if execute -%}
        {%- set files = run_query(
            "select filename from " ~ ref('raw_file_inventory')
            ~ " where is_read and raw_table = " ~ ops_sla.sql_literal(table)
            ~ " and source_file not in (select distinct source_file from " ~ this ~ ") order by filename"
        ).columns[0].values() -%}
        {%- if files | length == 0 -%}
            false
        {%- else -%}
            {{ filename_column }} in (
            {%- for file in files %}
                {{ ops_sla.sql_literal(file) }}{{ ',' if not loop.last }}
            {%- endfor %}
            )
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The watermark of a model, read from its own table: the largest value of `column` in
    {{ this }} - the latest input (a raw load, a classification, a refresh scope) the model
    has taken in - as a TIMESTAMPTZ literal; -infinity when the table is empty or on a full
    build. The value is read once, when the model is compiled, and written into its SQL
    and into its pre-hook alike (the pre-hook deletes rows before the query runs, and both
    must mean the same rows). A run that dies before the model writes leaves the model's
    watermark where it was, so the next run takes in what that run's upstream models loaded
    too (DECISIONLOG "Incremental runs"). -#}
{% macro own_watermark(column, naive_utc=false) -%}
    {%- set latest = none -%}
    {%- if execute and is_incremental() -%}
        {#- a TIMESTAMPTZ column is read as UTC; a naive one (naive_utc) already holds UTC -#}
        {%- set utc = "max(" ~ column ~ ")" if naive_utc else "max(" ~ column ~ ") at time zone 'UTC'" -%}
        {%- set latest = run_query(
            "select strftime(" ~ utc ~ ", '%Y-%m-%d %H:%M:%S.%f') from " ~ this
        ).columns[0].values()[0] -%}
    {%- endif -%}
    {%- if latest is none -%}
        {{ ops_sla.earliest_instant() }}
    {%- else -%}
        cast('{{ latest }}+00' as {{ ops_sla.instant_type() }})
    {%- endif -%}
{%- endmacro %}

{#- The scope of the daily data tests (tests/): start of the last complete build (every
    model of the whole project, or of the daily selector, built and every node passing) in
    ops_sla_meta.build_log, as a TIMESTAMPTZ literal. A daily test checks the rows loaded or
    re-derived after it: this run's, and those of a run that failed since (its failing rows
    are checked again). A test has no table of its own to keep a watermark in; the models
    take theirs from their own tables (own_watermark). -infinity when the warehouse has no
    build log. -#}
{% macro last_complete_build_at() -%}
    {%- set log = adapter.get_relation(database=target.database, schema='ops_sla_meta', identifier='build_log')
        if execute else none -%}
    {%- set last = ops_sla.last_complete_build(
        "strftime(started_at at time zone 'UTC', '%Y-%m-%d %H:%M:%S.%f') as started_at") if log is not none else none -%}
    {%- if last is none -%}
        {{ ops_sla.earliest_instant() }}
    {%- else -%}
        cast('{{ last['started_at'] }}+00' as {{ ops_sla.instant_type() }})
    {%- endif -%}
{%- endmacro %}

{#- The cases the calling model re-derives in an incremental run, as a query: those
    int_case_refresh_scope listed since the model last wrote (their events or case rows
    changed: case_model_watermark) and, in a model whose rows
    depend on the as-of instant (config meta `rescores_open_cases: true`: int_case_sla,
    case_sla), also every case still open in int_case_milestones, which this run has
    already brought up to date: an open case's clock runs to the as-of instant. -#}
{% macro refresh_scope_cases() -%}
    select case_id from {{ ref('int_case_refresh_scope') }}
    where scoped_at > {{ ops_sla.case_model_watermark() }}
    {%- if config.get('meta', {}).get('rescores_open_cases') %}
    union
    select case_id from {{ ref('int_case_milestones') }} where case_status = 'open'
    {%- endif %}
{%- endmacro %}

{#- The condition "the case in `case_id_column` is one this run re-derives" (refresh_scope_cases),
    for a where clause: the list, and its smallest case id as a lower bound. The bound changes
    no result; it lets DuckDB skip the row groups of older cases in a table stored in case
    order (int_events_classified and every case table): case ids start with the intake date, and the cases a daily
    run re-derives are mostly recent. -#}
{% macro in_refresh_scope(case_id_column='case_id') -%}
    {%- set scope = ops_sla.refresh_scope_cases() -%}  {#- (reads the model's watermark: once) #}
    {{ case_id_column }} in ({{ scope }})
    and {{ case_id_column }} >= (select min(case_id) from ({{ scope }}) as scope)
{%- endmacro %}

{#- The watermark of a case-grain model (and of the daily test that checks case_sla): the
    latest refresh scope it has re-derived, from the `refreshed_at` of its own rows (each
    row carries the start of the run that derived it, and int_case_refresh_scope stamps the
    cases it lists with the start of the run that listed them). A run that dies after some
    case models leaves the others' watermarks behind: the next run re-derives, in each, every
    case listed since that model last wrote. Read once per model (a pre-hook deletes first).
    Outside an incremental model (a full build, a test): -infinity, every listed case. -#}
{% macro case_model_watermark() -%}
    {%- if model.resource_type == 'model' and model.name == 'case_sla' -%}
        {#- the mart's timestamps are naive (Tableau): its stamp is UTC, named so -#}
        {{ return(ops_sla.own_watermark('refreshed_at_utc', naive_utc=true)) }}
    {%- elif model.resource_type == 'model' -%}
        {{ return(ops_sla.own_watermark('refreshed_at')) }}
    {%- else -%}
        {{ return(ops_sla.last_complete_build_at()) }}
    {%- endif -%}
{%- endmacro %}

{#- Restrict an import CTE to the cases a run re-processes (no-op on a full build). -#}
{% macro only_cases_in_refresh_scope(case_id_column='case_id') -%}
    {%- if is_incremental() -%}
        where {{ ops_sla.in_refresh_scope(case_id_column) }}
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of the case-grain incremental models: remove the rows of the cases this run
    re-derives (all of them, so a row that should no longer exist does not survive); the
    model then appends their new rows. Runs in the model's transaction. -#}
{% macro delete_refresh_scope(case_id_column='case_id') -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ ops_sla.in_refresh_scope(case_id_column) }}
    {%- endif -%}
{%- endmacro %}

{#- The materialization of the project's incremental models: `incremental` on DuckDB, `table` on
    Spark, where the tables are plain parquet (no DELETE, no MERGE without Delta Lake) and every
    run rebuilds them whole (DECISIONLOG "Apache Spark"). -#}
{% macro incremental_or_table() -%}
    {{ return('incremental' if target.type == 'duckdb' else 'table') }}
{%- endmacro %}
