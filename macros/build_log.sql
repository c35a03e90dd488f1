{#- A log of the commands that write the warehouse (`dbt build`, `dbt run`) inside the
    warehouse itself (schema ops_sla_meta): invocation_id, started_at, finished_at, status
    (started / success / failed), command, selection, full_refresh, complete, and the
    semantic vars and DuckDB version the command ran. The publish step checks that the file
    it copies is the result of the build recorded in run_results.json: a build killed midway
    leaves its row "started", and a later, interrupted command leaves a newer row than the
    recorded one. A daily run compares its vars and DuckDB version with the last complete
    *full* build's, and its daily data tests check the rows written since the last complete
    build. (The models' watermarks come from their own tables, not from here.) -#}

{#- True when this invocation writes models (and so is logged). -#}
{% macro writes_warehouse() -%}
    {{ return(flags.WHICH in ('build', 'run')) }}
{%- endmacro %}

{#- First on-run-start hook: the log table, in its current shape (warehouses built before
    gain the new columns), before the guards read it. -#}
{% macro ensure_build_log() %}
    {%- if execute and ops_sla.writes_warehouse() -%}
        create schema if not exists ops_sla_meta;
        create table if not exists ops_sla_meta.build_log (
            invocation_id varchar,
            started_at timestamptz,
            finished_at timestamptz,
            status varchar
        );
        {#- added later: warehouses built before gain the columns -#}
        alter table ops_sla_meta.build_log add column if not exists selection varchar;
        alter table ops_sla_meta.build_log add column if not exists full_refresh boolean;
        alter table ops_sla_meta.build_log add column if not exists command varchar;
        alter table ops_sla_meta.build_log add column if not exists complete boolean;
        alter table ops_sla_meta.build_log add column if not exists semantic_vars varchar;
        alter table ops_sla_meta.build_log add column if not exists duckdb_version varchar;
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}

{#- Last on-run-start hook: this invocation's row, "started", with the semantic vars and the
    DuckDB version it runs (a daily run compares them with the last full build's; its code
    it compares with that build's manifest, dbt's state). -#}
{% macro log_build_start() %}
    {%- if execute and ops_sla.writes_warehouse() -%}
        insert into ops_sla_meta.build_log
            (invocation_id, started_at, finished_at, status, selection, full_refresh, command, complete,
             semantic_vars, duckdb_version)
        values (
            '{{ invocation_id }}', {{ ops_sla.run_marker() }}, null, 'started',
            {{ ops_sla.sql_literal(ops_sla.invocation_selection()) if ops_sla.invocation_selection() else 'null' }},
            {{ 'true' if flags.FULL_REFRESH else 'false' }},
            '{{ flags.WHICH }}', false,
            {{ ops_sla.sql_literal(ops_sla.semantic_var_values()) }},
            {{ ops_sla.sql_literal(ops_sla.duckdb_version()) }}
        );
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}

{% macro log_build_end(results) %}
    {%- if execute and ops_sla.writes_warehouse() -%}
        {%- set failed = [] -%}
        {%- set passed = [] -%}
        {%- for result in results -%}
            {%- if result.status not in ('success', 'pass', 'warn', 'no-op') -%}
                {%- do failed.append(result.node.unique_id) -%}
            {%- elif result.status == 'success' -%}
                {%- do passed.append(result.node.unique_id) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set expected = ops_sla.complete_build_nodes() -%}
        {%- set complete = not failed and expected is not none and (expected | reject('in', passed) | list | length == 0) -%}
        update ops_sla_meta.build_log
        set finished_at = now(), status = '{{ "failed" if failed else "success" }}',
            complete = {{ 'true' if complete else 'false' }}
        where invocation_id = '{{ invocation_id }}';
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}

{#- The nodes a complete build of this invocation's selection must have built: every model
    and seed of the project (whole-project `dbt build`), or the daily selector's models; none
    when the invocation cannot be complete (`dbt run` runs no tests; any other selection,
    resource-type filter or --empty builds part; the daily selector with --full-refresh skips
    the guards that make a daily run complete and rebuilds part of the warehouse from scratch). A `dbt retry` keeps the flags of the command
    it retries but builds only what failed, so it is judged by what it built: not complete. -#}
{% macro complete_build_nodes() -%}
    {%- set selection = ops_sla.invocation_selection() -%}
    {%- if flags.WHICH != 'build' -%}
        {{ return(none) }}
    {%- elif selection is none -%}
        {{ return(graph.nodes.values() | selectattr('package_name', 'equalto', project_name)
            | selectattr('resource_type', 'in', ['model', 'seed']) | map(attribute='unique_id') | list) }}
    {%- elif selection == ops_sla.daily_selection() and not flags.FULL_REFRESH -%}
        {{ return(ops_sla.daily_models()) }}
    {%- else -%}
        {{ return(none) }}
    {%- endif -%}
{%- endmacro %}

{#- The row of the last complete build (every node complete_build_nodes expects built, every
    node passing) in build_log, the columns named, or none: the one definition the watermark
    and the guards share. The caller makes sure the table exists (the on-run-start guards run
    after ensure_build_log). -#}
{% macro last_complete_build(columns, condition='true') -%}
    {%- set rows = run_query(
        "select " ~ columns ~ " from ops_sla_meta.build_log where complete and status = 'success' and (" ~ condition ~ ")"
        ~ " order by started_at desc limit 1").rows -%}
    {{ return(rows[0] if rows | length > 0 else none) }}
{%- endmacro %}

{#- The row of the last complete *full* build (`dbt build --full-refresh` of the whole project,
    or the first build logged: it built an empty warehouse from scratch), the columns named, or
    none: what incremental runs build on and what a partial full refresh is judged against. -#}
{% macro last_complete_full_build(columns) -%}
    {{ return(ops_sla.last_complete_build(columns,
        "selection is null and (full_refresh or started_at = (select min(started_at) from ops_sla_meta.build_log))")) }}
{%- endmacro %}
