{#- Incremental runs (DECISIONLOG "Incremental runs"). Raw files are loaded once; the heavy
    models re-process a lookback window of recent data plus every case that is still open,
    and replace exactly those rows. -#}

{#- Instant of this dbt invocation: marks the rows a run loaded or (re)processed. -#}
{% macro run_marker() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}+00' as timestamptz)
{%- endmacro %}

{#- First partition date the lookback window re-processes: var incremental_lookback_days
    before the newest partition date of a raw table. -#}
{% macro lookback_start(raw_relation, date_column) -%}
    ((select max({{ date_column }}) from {{ raw_relation }})
        - interval {{ var('incremental_lookback_days') }} day)
{%- endmacro %}

{#- Restrict an import CTE to the cases a run re-processes (no-op on a full build). -#}
{% macro only_cases_in_refresh_scope(case_id_column='case_id') -%}
    {%- if is_incremental() -%}
        where {{ case_id_column }} in (select case_id from {{ ref('int_case_refresh_scope') }})
    {%- endif -%}
{%- endmacro %}

{#- Fail an incremental run when the data jumped further ahead than the lookback window
    since the last run: rows in the gap would never be re-processed. -#}
{% macro assert_lookback_covers_gap(processed_date_column, raw_relation, raw_date_column) %}
    {%- if execute and is_incremental() -%}
        {%- set gap_sql -%}
            select
                (select max({{ raw_date_column }}) from {{ raw_relation }})
                - (select max({{ processed_date_column }}) from {{ this }}) as gap_days
        {%- endset -%}
        {%- set gap = run_query(gap_sql).columns[0].values()[0] -%}
        {%- if gap is not none and gap > var('incremental_lookback_days') -%}
            {{ exceptions.raise_compiler_error(
                "ops-sla: " ~ this ~ " was last processed " ~ gap ~ " days before the newest raw data, more than "
                ~ "incremental_lookback_days=" ~ var('incremental_lookback_days')
                ~ ". Run a full refresh: `dbt build --full-refresh` (or `make build`)."
            ) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

{#- Pre-hook of the case-grain incremental models: remove the rows of the cases this run
    re-derives (all of them, so a row that should no longer exist does not survive); the
    model then appends their new rows. Runs in the model's transaction. -#}
{% macro delete_refresh_scope(case_id_column='case_id') -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ case_id_column }} in (select case_id from {{ ref('int_case_refresh_scope') }})
    {%- endif -%}
{%- endmacro %}
