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
        insert into ops_sla_meta.build_log
        values ('{{ invocation_id }}', {{ ops_sla.run_marker() }}, null, 'started');
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
