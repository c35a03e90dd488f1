{#- The daily run (`dbt build --selector daily --state <the last full build's manifest>`,
    DECISIONLOG "Incremental runs") re-derives only what new data touches and skips the
    views: it is allowed only on a warehouse whose last complete full build ran the same
    code (dbt's state:modified against that build's manifest) and the same vars. -#}

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

{#- The semantic vars with their values now, as JSON (build_log records them per build). -#}
{% macro semantic_var_values() -%}
    {%- set values = {} -%}
    {%- for name in ops_sla.semantic_vars() -%}
        {%- do values.update({name: var(name)}) -%}
    {%- endfor -%}
    {{ return(tojson(values, sort_keys=true)) }}
{%- endmacro %}

{#- The DuckDB library's version (its functions and bundled time-zone data compute the
    business minutes; build_log records it per build). -#}
{% macro duckdb_version() -%}
    {{ return(run_query('select version()').columns[0].values()[0]) }}
{%- endmacro %}

{#- The project's models, seeds and snapshots a `dbt build --selector daily` selected that
    the daily selector does not build, or that it builds and did not select: what dbt's
    state:modified found changed since the manifest given with --state. The selector
    (selectors.yml) is the daily nodes minus the changed ones plus the changed ones outside
    them, so the difference from daily_models() is exactly the changed set; each as
    "<resource type> <name>". -#}
{% macro daily_selection_changes() -%}
    {%- set expected = ops_sla.daily_models() -%}
    {%- set selected = [] -%}
    {%- for uid in selected_resources -%}
        {%- set node = graph.nodes.get(uid) -%}
        {%- if node is not none and node.package_name == project_name
            and node.resource_type in ('model', 'seed', 'snapshot') -%}
            {%- do selected.append(uid) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set changed = [] -%}
    {%- for uid in (selected | reject('in', expected) | list) + (expected | reject('in', selected) | list) -%}
        {%- do changed.append(uid) -%}
    {%- endfor -%}
    {%- set named = [] -%}
    {%- for uid in changed | sort -%}
        {%- do named.append(graph.nodes[uid].resource_type ~ ' ' ~ graph.nodes[uid].name) -%}
    {%- endfor -%}
    {{ return(named) }}
{%- endmacro %}

{#- The names of the project macros whose text differs from the state manifest's (or that it
    lacks or only it has): which macro made dbt call its models modified. -#}
{% macro macros_changed_since(manifest_path) -%}
    {%- set rows = [] -%}
    {%- set macros = context[project_name] -%}
    {%- for name in macros.keys() | sort -%}
        {%- do rows.append("('macro." ~ project_name ~ "." ~ name ~ "', '" ~ local_md5(macros[name].macro.macro_sql) ~ "')") -%}
    {%- endfor -%}
    {%- set changed_sql -%}
        with
        state as (
            select macro.key as unique_id, md5(json_extract_string(macro.value, '$.macro_sql')) as sql_md5
            from read_text({{ ops_sla.sql_literal(manifest_path) }}) as manifest,
                json_each(manifest.content, '$.macros') as macro
            where macro.key like 'macro.{{ project_name }}.%'
        ),
        now (unique_id, sql_md5) as (values {{ rows | join(', ') }})
        select replace(coalesce(now.unique_id, state.unique_id), 'macro.{{ project_name }}.', '') as named
        from now
        full outer join state on now.unique_id = state.unique_id
        where now.sql_md5 is distinct from state.sql_md5
        order by named
    {%- endset -%}
    {{ return(run_query(changed_sql).columns[0].values() | list) }}
{%- endmacro %}

{#- on-run-start hook of every incremental `dbt build` / `dbt run` (without --full-refresh):
    an incremental run re-derives only what new data touches (the daily run also skips the
    views), so it builds on the last complete full build and must run its code and vars.
    - The first command on an empty warehouse builds everything: allowed.
    - Otherwise the warehouse must have a complete full build, and the command must be the
      daily run, `dbt build --selector daily --state <dir>`: its selector holds dbt's
      state:modified against <dir>/manifest.json, which must be the manifest of that full
      build (`make build` saves it to $OPS_SLA_STATE_DIR). Any other incremental command
      cannot tell whether the code changed, and is refused.
    - It stops, naming each change, when a model, seed or snapshot (its SQL, config,
      contract, or a macro it uses) differs from the full build's (the macros named too), a
      semantic var, the dbt version or the DuckDB version. -#}
{% macro assert_same_code_as_full_build() %}
    {%- if execute and ops_sla.writes_warehouse() and not flags.FULL_REFRESH -%}
        {%- set fix = " Run a full build and publish it: `make build && make publish` (dbt build --full-refresh, then the publish step)." -%}
        {%- set logged = run_query("select count(*) from ops_sla_meta.build_log").columns[0].values()[0] -%}
        {%- if logged > 0 or ops_sla.is_daily_run() -%}
            {%- set what = "a daily run" if ops_sla.is_daily_run() else "an incremental `dbt " ~ flags.WHICH ~ "` (without --full-refresh)" -%}
            {%- set last = ops_sla.last_complete_full_build("invocation_id, started_at, semantic_vars, duckdb_version") -%}
            {%- if last is none -%}
                {{ exceptions.raise_compiler_error(
                    "ops-sla: " ~ what ~ " builds on a full build; " ~ target.path
                    ~ " has no successful full build." ~ fix) }}
            {%- endif -%}
            {%- if ops_sla.invocation_selection() != ops_sla.daily_selection() -%}
                {{ exceptions.raise_compiler_error(
                    "ops-sla: " ~ what ~ " re-derives only part of the warehouse, and only the daily"
                    ~ " selector checks that the code is the code of the last full build (" ~ last['invocation_id']
                    ~ "). New data: `make daily` (dbt build --selector daily --state <the full build's manifest folder>)."
                    ~ " After a change of code or vars, or to rebuild: `make build && make publish` (dbt build --full-refresh, then the publish step).") }}
            {%- endif -%}
            {%- set state = invocation_args_dict.get('state') -%}
            {%- set manifest_path = (state ~ '/manifest.json') if state else none -%}
            {%- set state_build = run_query(
                "select json_extract_string(content, '$.metadata.invocation_id'), json_extract_string(content, '$.metadata.dbt_version')"
                ~ " from read_text(" ~ ops_sla.sql_literal(manifest_path) ~ ")").rows if manifest_path else [] -%}
            {%- if state_build | length == 0 or state_build[0][0] != last['invocation_id'] -%}
                {{ exceptions.raise_compiler_error(
                    "ops-sla: a daily run compares the code with the manifest of the last full build ("
                    ~ last['invocation_id'] ~ "), given with --state (or DBT_STATE); "
                    ~ (("the manifest in " ~ state ~ " is that of build " ~ state_build[0][0]) if state_build | length > 0
                       else "none was found (" ~ (state or 'no --state') ~ ")")
                    ~ ". `make build` saves it to $OPS_SLA_STATE_DIR after a full build (a full build run"
                    ~ " otherwise: copy its target/manifest.json there)." ~ fix) }}
            {%- endif -%}
            {%- set changes = [] -%}
            {%- if state_build[0][1] != dbt_version -%}
                {%- do changes.append("dbt " ~ dbt_version ~ " (the full build ran " ~ state_build[0][1] ~ ")") -%}
            {%- endif -%}
            {%- if last['duckdb_version'] is not none and last['duckdb_version'] != ops_sla.duckdb_version() -%}
                {%- do changes.append("DuckDB " ~ ops_sla.duckdb_version() ~ " (the full build ran " ~ last['duckdb_version'] ~ ")") -%}
            {%- endif -%}
            {%- set recorded = fromjson(last['semantic_vars'] or '{}') -%}
            {%- for name in ops_sla.semantic_vars() -%}
                {%- if tojson(recorded.get(name)) != tojson(var(name)) -%}
                    {%- do changes.append("var " ~ name ~ ": " ~ tojson(var(name)) ~ " (the full build had "
                        ~ tojson(recorded.get(name)) ~ ")") -%}
                {%- endif -%}
            {%- endfor -%}
            {%- set nodes = ops_sla.daily_selection_changes() -%}
            {%- if nodes -%}
                {%- do changes.append("dbt's state:modified finds changed (their SQL, config or contract, or a macro"
                    ~ " they use): " ~ nodes | join(', ')) -%}
                {%- set macros = ops_sla.macros_changed_since(manifest_path) -%}
                {%- if macros -%}
                    {%- do changes.append("project macros changed: " ~ macros | join(', ')) -%}
                {%- endif -%}
            {%- endif -%}
            {%- if changes -%}
                {{ exceptions.raise_compiler_error(
                    "ops-sla: changed since the last full build (" ~ last['invocation_id'] ~ "): "
                    ~ changes | join('; ') ~ ". " ~ what[0] | upper ~ what[1:] ~ " re-derives only what new data"
                    ~ " touches and would mix old and new logic." ~ fix) }}
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
                    ~ " and modification time of each raw file. Run a full build and publish it: `make build && make publish` (dbt build --full-refresh, then the publish step).") }}
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
                    ~ " Run a full build and publish it: `make build && make publish` (dbt build --full-refresh, then the publish step).") }}
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
                ~ " did not, and an incremental run would not notice. Run a full build and publish it: `make build && make publish` (dbt build --full-refresh, then the publish step).") }}
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
                ~ " afresh, remove the warehouse file (" ~ target.path ~ ") and run `make build && make publish`.") }}
        {%- endif -%}
    {%- endif -%}
    select 1
{% endmacro %}
