{#- A log of builds inside the warehouse itself (schema ops_sla_meta), so the publish step
    can tell that the file it copies is the result of the build recorded in
    run_results.json: a build that was killed midway leaves its row "started", and a
    later, interrupted build leaves a newer row than the recorded one. Only `dbt build`
    writes it (the only command whose results may be published). -#}

{% macro log_build_start() %}
    {%- if execute and flags.WHICH == 'build' -%}
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
        alter table ops_sla_meta.build_log add column if not exists code_fingerprint varchar;
        insert into ops_sla_meta.build_log
            (invocation_id, started_at, finished_at, status, selection, full_refresh, code_fingerprint)
        values (
            '{{ invocation_id }}', {{ ops_sla.run_marker() }}, null, 'started',
            {{ ops_sla.sql_literal(ops_sla.invocation_selection()) if ops_sla.invocation_selection() else 'null' }},
            {{ 'true' if flags.FULL_REFRESH else 'false' }},
            '{{ ops_sla.code_fingerprint() }}'
        );
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}

{% macro log_build_end(results) %}
    {%- if execute and flags.WHICH == 'build' -%}
        {%- set failed = [] -%}
        {%- for result in results -%}
            {%- if result.status not in ('success', 'pass', 'no-op') -%}
                {%- do failed.append(result.node.unique_id) -%}
            {%- endif -%}
        {%- endfor -%}
        update ops_sla_meta.build_log
        set finished_at = now(), status = '{{ "failed" if failed else "success" }}'
        where invocation_id = '{{ invocation_id }}';
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}
