{#- Incremental runs (DECISIONLOG "Incremental runs"). Raw files are loaded once; the heavy
    models re-process what arrived or changed since the last complete, successful build,
    plus every case that is still open, and replace exactly those rows. -#}

{#- Instant of this dbt invocation: marks the rows a run loaded or (re)processed. -#}
{% macro run_marker() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}+00' as timestamptz)
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

{#- The watermark of incremental runs: start of the last complete build (every model of the
    whole project, or of the daily selector, built and every node passing), from
    ops_sla_meta.build_log, as a TIMESTAMPTZ literal. Rows loaded or re-derived after it are
    (re)processed. A failed or interrupted run does not move it, so the next run redoes that
    run's work too; partial builds and `dbt run` are not logged as complete, so they only make
    the next scope larger, never smaller. -infinity (process everything) when the warehouse has
    no build log. (A run that starts before a logged build - a clock set back - is stopped
    earlier, by the on-run-start hook assert_clock_not_set_back.) -#}
{% macro last_complete_build_at() -%}
    {%- set log = adapter.get_relation(database=target.database, schema='ops_sla_meta', identifier='build_log')
        if execute else none -%}
    {%- set last = ops_sla.last_complete_build(
        "strftime(started_at at time zone 'UTC', '%Y-%m-%d %H:%M:%S.%f') as started_at") if log is not none else none -%}
    {%- if last is none -%}
        cast('-infinity' as timestamptz)
    {%- else -%}
        cast('{{ last['started_at'] }}+00' as timestamptz)
    {%- endif -%}
{%- endmacro %}

{#- The cases the calling model re-derives in an incremental run, as a query: those of
    int_case_refresh_scope (their events or case rows changed) and, in a model whose rows
    depend on the as-of instant (config meta `rescores_open_cases: true`: int_case_sla,
    case_sla), also every case still open in int_case_milestones, which this run has
    already brought up to date: an open case's clock runs to the as-of instant. -#}
{% macro refresh_scope_cases() -%}
    select case_id from {{ ref('int_case_refresh_scope') }}
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
    {{ case_id_column }} in ({{ ops_sla.refresh_scope_cases() }})
    and {{ case_id_column }} >= (select min(case_id) from ({{ ops_sla.refresh_scope_cases() }}) as scope)
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
