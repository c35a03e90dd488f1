{#- on-run-end hook: for each data test that failed or warned and keeps its failing rows
    (store_failures) in a table with a `problem` column - the raw-file checks, the generic
    tests on a team's export and the singular tests a team's data or settings can fail - print
    those lines (at most 25 per test) after dbt's own summary, which gives only the count.
    No list of tests: any such test is printed. The rows are the test's own result, read from
    the table dbt names in its message. -#}
{% macro report_failed_checks(results) %}
    {%- if execute -%}
        {%- for result in results
            if result.node.resource_type == 'test' and result.status in ('fail', 'warn')
            and result.node.relation_name -%}
            {%- set rows = run_query("select * from " ~ result.node.relation_name ~ " order by all limit 26") -%}
            {%- if 'problem' in rows.column_names -%}
                {%- set lines = rows.columns['problem'].values() | list -%}
                {%- set more = "\n  - ... and more: select problem from " ~ result.node.relation_name
                    if lines | length > 25 else "" -%}
                {{ log(("Warning" if result.status == 'warn' else "Failure") ~ " in " ~ result.node.name
                    ~ " (" ~ result.failures ~ " rows in " ~ result.node.relation_name ~ "):\n  - "
                    ~ lines[:25] | join("\n  - ") ~ more, info=True) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{% endmacro %}
