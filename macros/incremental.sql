{#- Incremental runs (DECISIONLOG "Incremental runs"). Raw files are loaded once; the heavy
    models re-process what arrived or changed since the last complete, successful build,
    plus every case that is still open, and replace exactly those rows. -#}

{#- Instant of this dbt invocation: marks the rows a run loaded or (re)processed. -#}
{% macro run_marker() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}+00' as timestamptz)
{%- endmacro %}

{#- The watermark of incremental runs: start of the last complete build (the whole project,
    or the daily selector) that finished with every node passing, from ops_sla_meta.build_log,
    as a TIMESTAMPTZ literal. Rows loaded or re-derived after it are (re)processed. A failed or
    interrupted run does not move it, so the next run redoes that run's work too; partial
    builds and `dbt run` are not logged as complete, so they only make the next scope larger,
    never smaller. -infinity (process everything) when the warehouse has no build log. Fails
    when this run started before the watermark (a clock set back): its rows would look old. -#}
{% macro last_complete_build_at() -%}
    {%- set log = adapter.get_relation(database=target.database, schema='ops_sla_meta', identifier='build_log')
        if execute else none -%}
    {%- set watermark = none -%}
    {%- if log is not none -%}
        {%- set watermark = run_query(
            "select strftime(max(started_at) at time zone 'UTC', '%Y-%m-%d %H:%M:%S.%f') from " ~ log
            ~ " where status = 'success' and complete"
        ).columns[0].values()[0] -%}
    {%- endif -%}
    {%- if watermark is none -%}
        cast('-infinity' as timestamptz)
    {%- else -%}
        {%- if watermark >= run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") -%}
            {{ exceptions.raise_compiler_error(
                "ops-sla: this run started (" ~ run_started_at ~ " UTC) before the last complete build ("
                ~ watermark ~ " UTC): is the clock set back? Rows it loads would look old to "
                ~ this ~ ". Fix the clock, or run a full build (`make build`).") }}
        {%- endif -%}
        cast('{{ watermark }}+00' as timestamptz)
    {%- endif -%}
{%- endmacro %}

{#- Restrict an import CTE to the cases a run re-processes (no-op on a full build). -#}
{% macro only_cases_in_refresh_scope(case_id_column='case_id') -%}
    {%- if is_incremental() -%}
        where {{ case_id_column }} in (select case_id from {{ ref('int_case_refresh_scope') }})
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of the case-grain incremental models: remove the rows of the cases this run
    re-derives (all of them, so a row that should no longer exist does not survive); the
    model then appends their new rows. Runs in the model's transaction. -#}
{% macro delete_refresh_scope(case_id_column='case_id') -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ case_id_column }} in (select case_id from {{ ref('int_case_refresh_scope') }})
    {%- endif -%}
{%- endmacro %}
