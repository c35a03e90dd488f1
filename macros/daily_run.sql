{#- The daily run (`dbt build --selector daily`, DECISIONLOG "Incremental runs") skips the
    views: they change only when code changes. So a daily run is allowed only on a warehouse
    whose last successful build ran the same code and vars, and whose calendar is the one
    delivered now. -#}

{#- True when this invocation runs the daily selector. -#}
{% macro is_daily_run() -%}
    {{ return(invocation_args_dict.get('selector') == 'daily') }}
{%- endmacro %}

{#- How build_log records the daily selection (invocation_selection of a daily run). -#}
{% macro daily_selection() -%}
    {{ return('selector: ' ~ tojson('daily')) }}
{%- endmacro %}

{#- The node selection of this invocation (--select / --exclude / --selector, a resource-type
    filter, --sample, or --empty: no rows), as text; none when it builds the whole project. -#}
{% macro invocation_selection() -%}
    {%- set parts = [] -%}
    {%- for key in ['select', 'exclude', 'selector', 'resource_types', 'exclude_resource_types', 'sample', 'empty']
        if invocation_args_dict.get(key) -%}
        {%- do parts.append(key ~ ': ' ~ tojson(invocation_args_dict.get(key))) -%}
    {%- endfor -%}
    {{ return(parts | join('; ') if parts else none) }}
{%- endmacro %}

{#- The models the daily selector builds (selectors.yml, checked against `dbt ls` by a test):
    the raw file listing and inventory and the models downstream of the four raw models, views excluded. -#}
{% macro daily_models() -%}
    {%- set models = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
        | selectattr('package_name', 'equalto', project_name) | list -%}
    {%- set reached = models | selectattr('name', 'in', ['raw_file_listing', 'raw_file_inventory', 'raw_cases',
        'raw_events_log', 'raw_staffing_schedule', 'raw_calendar_dim']) | map(attribute='unique_id') | list -%}
    {%- for _ in models -%}
        {%- for node in models if node.unique_id not in reached
            and node.depends_on.nodes | select('in', reached) | list | length > 0 -%}
            {%- do reached.append(node.unique_id) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(models | selectattr('unique_id', 'in', reached) | rejectattr('config.materialized', 'equalto', 'view')
        | map(attribute='unique_id') | list) }}
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
    the content of every seed (dbt's file checksums) with its resolved config (materialization,
    hooks, whether a contract is enforced - from YAML and dbt_project.yml) and the checksum of
    an enforced contract (its columns' names, types and constraints), the definition of every source (how its
    files are read, its columns; the raw folder's path left out, so a moved folder is the same
    source), the text of every project macro, the semantic vars, the dbt version and the DuckDB
    version (its functions and bundled time-zone data compute the business minutes). Equal
    fingerprints mean a rebuild would compute the same thing. -#}
{% macro code_fingerprint() -%}
    {%- set parts = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id')
        if node.resource_type in ('model', 'seed', 'snapshot') and node.package_name == project_name -%}
        {#- an enforced contract's columns and types live in YAML, outside the SQL checksum -#}
        {%- set contract = (node.contract or {}).get('checksum') or '' -%}
        {%- do parts.append(node.unique_id ~ '=' ~ node.checksum.checksum ~ ' config=' ~ local_md5(tojson(node.config, sort_keys=true))
            ~ ' contract=' ~ contract) -%}
    {%- endfor -%}
    {%- for source in graph.sources.values() | sort(attribute='unique_id') if source.package_name == project_name -%}
        {%- set definition = tojson({'meta': source.meta, 'columns': source.columns}, sort_keys=true) -%}
        {%- do parts.append(source.unique_id ~ '=' ~ local_md5(definition | replace(ops_sla.raw_dir(), '<raw>'))) -%}
    {%- endfor -%}
    {%- set macros = context[project_name] -%}
    {%- for name in macros.keys() | sort -%}
        {%- do parts.append('macro.' ~ name ~ '=' ~ local_md5(macros[name].macro.macro_sql)) -%}
    {%- endfor -%}
    {%- do parts.append('dbt=' ~ dbt_version) -%}
    {%- do parts.append('duckdb=' ~ run_query('select version()').columns[0].values()[0]) -%}
    {%- for name in ops_sla.semantic_vars() -%}
        {%- do parts.append('var.' ~ name ~ '=' ~ tojson(var(name))) -%}
    {%- endfor -%}
    {{ return(local_md5(parts | join('\n'))) }}
{%- endmacro %}

{#- The calendar delivered now (raw calendar_dim parquet), as a table function. -#}
{% macro delivered_calendar() -%}
    read_parquet({{ ops_sla.sql_literal(ops_sla.raw_dir() ~ '/calendar_dim/*.parquet') }}, union_by_name = true)
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

{#- on-run-start hook of every incremental `dbt build` / `dbt run` (without --full-refresh;
    the daily run is one): refuse to mix old and new logic. An incremental run re-derives
    only what new data touches (the daily run also skips the views), so it builds on the last
    complete full build, and nothing logged since may have run other code. The first command
    on an empty warehouse builds everything: allowed. -#}
{% macro assert_same_code_as_full_build() %}
    {%- if execute and ops_sla.writes_warehouse() and not flags.FULL_REFRESH -%}
        {%- set what = "a daily run" if ops_sla.is_daily_run() else "an incremental `dbt " ~ flags.WHICH ~ "` (without --full-refresh)" -%}
        {%- set fix = " Run a full build first: `make build` (dbt build --full-refresh)." -%}
        {%- set logged = run_query("select count(*) from ops_sla_meta.build_log").columns[0].values()[0] -%}
        {%- if logged > 0 or ops_sla.is_daily_run() -%}
            {%- set last = ops_sla.last_complete_full_build("code_fingerprint, invocation_id, started_at") -%}
            {%- if last is none -%}
                {{ exceptions.raise_compiler_error(
                    "ops-sla: " ~ what ~ " builds on a full build; " ~ target.path
                    ~ " has no successful full build." ~ fix) }}
            {%- endif -%}
            {%- set fingerprint = ops_sla.code_fingerprint() -%}
            {%- set other_code = run_query(
                "select count(*) from ops_sla_meta.build_log where started_at >= cast('" ~ last['started_at']
                ~ "' as timestamptz) and code_fingerprint is distinct from '" ~ fingerprint ~ "'").columns[0].values()[0] -%}
            {%- if last['code_fingerprint'] != fingerprint or other_code > 0 -%}
                {{ exceptions.raise_compiler_error(
                    "ops-sla: models, seeds, macros or vars changed since the last full build ("
                    ~ last['invocation_id'] ~ "), or a build since ran other code; " ~ what
                    ~ " re-derives only part of the warehouse and would mix old and new logic." ~ fix) }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    select 1
{% endmacro %}

{#- on-run-start hook of every incremental `dbt build` / `dbt run` (daily or not): the
    calendar may grow (new dates are loaded), not change. Holidays decide the business
    minutes of every case, and an incremental run re-derives only some cases, so a changed or
    dropped date needs a full refresh. Compared with what the last complete build recorded of
    the calendar it was given (not with the loaded table, which any partial command rewrites). -#}
{% macro assert_calendar_unchanged() %}
    {%- if execute and ops_sla.writes_warehouse() and not flags.FULL_REFRESH -%}
        {#- a calendar delivered twice (a full build stops at the source test; here the hash
            below would call it a change) -#}
        {%- set repeated = run_query("select count(*) from (select calendar_date from " ~ ops_sla.delivered_calendar()
            ~ " group by calendar_date having count(*) > 1)").columns[0].values()[0] -%}
        {%- if repeated > 0 -%}
            {{ exceptions.raise_compiler_error(
                "ops-sla: the delivered calendar (" ~ ops_sla.delivered_calendar() ~ ") has " ~ repeated
                ~ " dates more than once (a calendar file delivered twice?). Deliver each date once.") }}
        {%- endif -%}
        {%- set last = ops_sla.last_complete_build("calendar_first, calendar_last, calendar_hash, invocation_id",
            "calendar_hash is not null") -%}
        {%- if last is not none -%}
            {%- set delivered = run_query(ops_sla.calendar_content_hash(ops_sla.delivered_calendar(),
                "date '" ~ last['calendar_first'] ~ "'", "date '" ~ last['calendar_last'] ~ "'")).columns[0].values()[0] -%}
            {%- if delivered != last['calendar_hash'] -%}
                {{ exceptions.raise_compiler_error(
                    "ops-sla: the delivered calendar (" ~ ops_sla.delivered_calendar() ~ ") changes or drops"
                    ~ " dates the warehouse has loaded (" ~ last['calendar_first'] ~ " to " ~ last['calendar_last']
                    ~ ", build " ~ last['invocation_id'] ~ "); holidays decide the business minutes of every"
                    ~ " case, old ones too (new dates alone are fine). Run a full build first: `make build`"
                    ~ " (dbt build --full-refresh).") }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    select 1
{% endmacro %}

{#- on-run-start hook of every incremental `dbt build` / `dbt run`: raw case and event files
    are loaded once, so a file the warehouse has loaded must still be there, unchanged (same
    size and modification time as when it was read). A rewritten or deleted file changes
    history that an incremental run would never re-read; only a full refresh takes it in. -#}
{% macro assert_loaded_raw_files_unchanged() %}
    {%- if execute and ops_sla.writes_warehouse() and not flags.FULL_REFRESH -%}
        {%- set loaded = [] -%}
        {%- for table in ops_sla.raw_file_tables_in_warehouse() -%}
            {%- if not table.has_file_stats -%}
                {{ exceptions.raise_compiler_error(
                    "ops-sla: " ~ table.relation ~ " was loaded by an older ops-sla that did not record the size"
                    ~ " and modification time of each raw file. Run a full build first: `make build`"
                    ~ " (dbt build --full-refresh).") }}
            {%- endif -%}
            {%- do loaded.append((table.table, table.relation)) -%}
        {%- endfor -%}
        {%- if loaded -%}
            {%- set check_sql -%}
                with
                loaded as (
                    {%- for table, relation in loaded %}
                    {% if not loop.first %}union all {% endif -%}
                    select * from {{ ops_sla.loaded_raw_file_stats(relation) }}
                    {%- endfor %}
                ),
                present as (
                    {%- for table, relation in loaded %}
                    {% if not loop.first %}union all {% endif -%}
                    select {{ ops_sla.relative_source_file('filename') }} as source_file, file_bytes, file_modified_at
                    from {{ ops_sla.raw_file_stats(table) }}
                    {%- endfor %}
                )
                select
                    loaded.source_file
                    || case
                        when present.source_file is null then ': deleted'
                        else ': changed since it was loaded (now ' || present.file_bytes || ' bytes, modified '
                            || strftime(present.file_modified_at at time zone 'UTC', '%Y-%m-%d %H:%M:%S.%f')
                            || ' UTC; when loaded: ' || coalesce(cast(loaded.source_file_bytes as varchar), '?')
                            || ' bytes, modified '
                            || coalesce(strftime(loaded.source_file_modified_at at time zone 'UTC',
                                '%Y-%m-%d %H:%M:%S.%f') || ' UTC', '?') || ')'
                    end as problem
                from loaded
                left join present on loaded.source_file = present.source_file
                where present.source_file is null
                    or loaded.source_file_bytes is distinct from present.file_bytes
                    or loaded.source_file_modified_at is distinct from present.file_modified_at
                order by loaded.source_file
            {%- endset -%}
            {%- set problems = run_query(check_sql).columns[0].values() | list -%}
            {%- if problems -%}
                {{ ops_sla.raise_raw_problems(
                    "raw files the warehouse has loaded were since changed or deleted", problems,
                    "An incremental run reads each case and event file once and would keep the old rows."
                    ~ " Run a full build first: `make build` (dbt build --full-refresh).") }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    select 1
{% endmacro %}

{#- on-run-start hook of every incremental `dbt build` / `dbt run`: a full refresh that did
    not rebuild the whole project (a selection, a failure, a kill, a `dbt retry`) since the
    last complete full build leaves tables rebuilt from scratch next to tables that were not -
    e.g. a raw table reloaded from a corrected file under an events table that derives each file
    once. Incremental runs cannot see that; only a complete full build repairs it. -#}
{% macro assert_no_partial_full_refresh() %}
    {%- if execute and ops_sla.writes_warehouse() and not flags.FULL_REFRESH -%}
        {%- set last = ops_sla.last_complete_full_build("started_at") -%}
        {%- set since = "cast('" ~ last['started_at'] ~ "' as timestamptz)" if last is not none else "'-infinity'" -%}
        {%- set partial = run_query(
            "select invocation_id || ' (' || command || coalesce(', ' || selection, '') || ', ' || status || ')'"
            ~ " from ops_sla_meta.build_log where full_refresh and started_at > " ~ since
            ~ " and not (complete and status = 'success' and selection is null) order by started_at").columns[0].values()
            | list -%}
        {%- if partial -%}
            {{ exceptions.raise_compiler_error(
                "ops-sla: a full refresh of part of the warehouse ran since the last complete full build: "
                ~ partial | join('; ') ~ ". The tables it rebuilt from scratch may disagree with the ones it"
                ~ " did not, and an incremental run would not notice. Run a full build first: `make build`"
                ~ " (dbt build --full-refresh).") }}
        {%- endif -%}
    {%- endif -%}
    select 1
{% endmacro %}

{#- on-run-start hook: rows are stamped with the run's start instant and re-processed when
    stamped after the last complete build; a run that starts before a logged one (clock set
    back) would stamp its rows as old, so it stops before any model runs; a full build too, as
    the log keeps the later build and every run after it would be refused in turn. -#}
{% macro assert_clock_not_set_back() %}
    {%- if execute and ops_sla.writes_warehouse() -%}
        {%- set latest = run_query(
            "select strftime(max(started_at) at time zone 'UTC', '%Y-%m-%d %H:%M:%S.%f') from ops_sla_meta.build_log"
        ).columns[0].values()[0] -%}
        {%- if latest is not none and latest >= run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") -%}
            {{ exceptions.raise_compiler_error(
                "ops-sla: this run started (" ~ run_started_at ~ " UTC) before a logged build (" ~ latest
                ~ " UTC): is the clock set back? Rows it loads would look old to the next incremental run."
                ~ " Fix the clock. A full build is refused too (the log keeps the later build): to start"
                ~ " afresh, remove the warehouse file (" ~ target.path ~ ") and run `make build`.") }}
        {%- endif -%}
    {%- endif -%}
    select 1
{% endmacro %}
