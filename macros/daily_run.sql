{#- The daily run (`dbt build --selector daily`, DECISIONLOG "Incremental runs") skips the
    views and the business-calendar tables: they change only when code, vars or the
    calendar change. So a daily run is allowed only on a warehouse whose last successful
    build ran the same code and vars, and whose calendar is the one delivered now. -#}

{#- True when this invocation runs the daily selector. -#}
{% macro is_daily_run() -%}
    {{ return(invocation_args_dict.get('selector') == 'daily') }}
{%- endmacro %}

{#- How build_log records the daily selection (invocation_selection of a daily run). -#}
{% macro daily_selection() -%}
    {{ return('selector: ' ~ tojson('daily')) }}
{%- endmacro %}

{#- The node selection of this invocation (--select / --exclude / --selector, or --empty:
    no rows), as text; none when it builds the whole project. -#}
{% macro invocation_selection() -%}
    {%- set parts = [] -%}
    {%- for key in ['select', 'exclude', 'selector', 'empty'] if invocation_args_dict.get(key) -%}
        {%- do parts.append(key ~ ': ' ~ tojson(invocation_args_dict.get(key))) -%}
    {%- endfor -%}
    {{ return(parts | join('; ') if parts else none) }}
{%- endmacro %}

{#- The vars that change what the models compute (a --vars override changes results the
    same way an edited model does). -#}
{% macro semantic_vars() -%}
    {{ return([
        'business_time_zone', 'business_day_open', 'business_day_close', 'business_weekdays',
        'normal_ingestion_lag_seconds', 'earliest_plausible_ts',
    ]) }}
{%- endmacro %}

{#- md5 of everything that decides what the models compute: the SQL of every model and
    the content of every seed (dbt's file checksums), the text of every project macro, and
    the semantic vars. Equal fingerprints mean a rebuild would compute the same thing. -#}
{% macro code_fingerprint() -%}
    {%- set parts = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id')
        if node.resource_type in ('model', 'seed', 'snapshot') and node.package_name == project_name -%}
        {%- do parts.append(node.unique_id ~ '=' ~ node.checksum.checksum) -%}
    {%- endfor -%}
    {%- set macros = context[project_name] -%}
    {%- for name in macros.keys() | sort -%}
        {%- do parts.append('macro.' ~ name ~ '=' ~ local_md5(macros[name].macro.macro_sql)) -%}
    {%- endfor -%}
    {%- for name in ops_sla.semantic_vars() -%}
        {%- do parts.append('var.' ~ name ~ '=' ~ tojson(var(name))) -%}
    {%- endfor -%}
    {{ return(local_md5(parts | join('\n'))) }}
{%- endmacro %}

{#- md5 of a calendar's rows in date order (the parquet delivered, or the loaded table),
    optionally only the dates from..until (SQL expressions). -#}
{% macro calendar_content_hash(relation_sql, from_date=none, until_date=none) -%}
    select md5(coalesce(string_agg(cast(calendar as varchar), '|' order by calendar.calendar_date), ''))
    from (
        select calendar_date, day_of_week, is_weekend, is_holiday, holiday_name, is_business_day,
            holiday_country, holiday_subdiv
        from {{ relation_sql }}
        {%- if from_date is not none %}
        where calendar_date between {{ from_date }} and {{ until_date }}
        {%- endif %}
    ) as calendar
{%- endmacro %}

{#- on-run-start hook: refuse a daily run that would mix old and new logic or calendars. -#}
{% macro assert_daily_run_allowed() %}
    {%- if execute and ops_sla.is_daily_run() -%}
        {%- set fix = " Run a full build first: `make build` (dbt build --full-refresh)." -%}
        {%- set log_exists = run_query(
            "select count(*) from information_schema.tables "
            ~ "where table_schema = 'ops_sla_meta' and table_name = 'build_log' "
            ~ "and table_catalog = current_database()"
        ).columns[0].values()[0] -%}
        {%- set last = run_query(
            "select code_fingerprint, invocation_id from ops_sla_meta.build_log "
            ~ "where status = 'success' and full_refresh and selection is null "
            ~ "order by started_at desc limit 1"
        ) if log_exists else none -%}
        {%- if last is none or last.rows | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                "ops-sla: a daily run builds on a full build; " ~ target.path
                ~ " has no successful full build." ~ fix) }}
        {%- endif -%}
        {%- if last.rows[0]['code_fingerprint'] != ops_sla.code_fingerprint() -%}
            {{ exceptions.raise_compiler_error(
                "ops-sla: models, seeds, macros or vars changed since the last full build ("
                ~ last.rows[0]['invocation_id'] ~ "); a daily run rebuilds only part of the warehouse"
                ~ " and would mix old and new logic." ~ fix) }}
        {%- endif -%}
        {#- the calendar may grow (new dates are loaded by the daily run), not change -#}
        {%- set calendar_file = env_var('OPS_SLA_RAW_DIR', 'data/raw') ~ '/calendar_dim/*.parquet' -%}
        {%- set loaded_calendar = graph.nodes['model.' ~ project_name ~ '.raw_calendar_dim'].relation_name -%}
        {%- set first = "(select min(calendar_date) from " ~ loaded_calendar ~ ")" -%}
        {%- set last = "(select max(calendar_date) from " ~ loaded_calendar ~ ")" -%}
        {%- set delivered = run_query(ops_sla.calendar_content_hash(
            "read_parquet(" ~ ops_sla.sql_literal(calendar_file) ~ ")", first, last)).columns[0].values()[0] -%}
        {%- set loaded = run_query(ops_sla.calendar_content_hash(loaded_calendar)).columns[0].values()[0] -%}
        {%- if delivered != loaded -%}
            {{ exceptions.raise_compiler_error(
                "ops-sla: the delivered calendar (" ~ calendar_file ~ ") changes or drops dates the"
                ~ " warehouse has loaded; holidays decide the business minutes of every case, old ones"
                ~ " too (new dates alone are fine)." ~ fix) }}
        {%- endif -%}
    {%- endif -%}
    select 1
{% endmacro %}
