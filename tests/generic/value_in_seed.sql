{#- Every non-NULL value of column_name is a value of `field` in the seed `to`. Like dbt's
    relationships test, but for rows of the team's export: each failing row names the file and
    row it came from (the model's source_file, source_row), the value, and what to do, in a
    `problem` column that the on-run-end hook report_failed_checks prints. -#}
{% test value_in_seed(model, column_name, to, field) %}

{{ config(store_failures=true) }}

{%- set seed_file = namespace(path=to.identifier ~ " (seed)") %}
{%- if execute %}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'seed' and node.name == to.identifier %}
        {%- set seed_file.path = node.original_file_path %}
    {%- endfor %}
{%- endif %}

with

checked as (

    select
        source_file,
        source_row,
        {{ column_name }} as column_value
    from {{ model }}
    where {{ column_name }} is not null

),

allowed as (

    select {{ field }} as allowed_value from {{ to }}

),

unknown as (

    select checked.*
    from checked
    left join allowed on checked.column_value = allowed.allowed_value
    where allowed.allowed_value is null

),

final as (

    select
        source_file,
        source_row,
        column_value,
        source_file || ' row ' || source_row || ': {{ column_name }} ''' || column_value
        || ''' is not in {{ seed_file.path }} - add it there if it is one of the team''s, or fix'
        || ' the case in the export and re-deliver the file' as problem
    from unknown

)

select * from final

{% endtest %}
