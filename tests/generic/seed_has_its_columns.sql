{#- Every column the seed's config column_types names is in its CSV file. A settings file
    written for an earlier version of ops-sla (sla_targets.csv before effective dating had no
    valid_from) fails here, one row per missing column with a `problem` column naming the file
    and what to do (printed by report_failed_checks), instead of a binder error in a model
    downstream. The columns the table has are read from the warehouse's catalog (the seed is
    loaded by then). -#}
{% test seed_has_its_columns(model) %}

{{ config(store_failures=true) }}

{#- (the graph and the catalog are there when the test runs, not when dbt parses it) -#}
{%- set expected = [] -%}
{%- set loaded = [] -%}
{%- set seed = {'name': model.identifier, 'original_file_path': 'seeds/' ~ model.identifier ~ '.csv'} -%}
{%- if execute -%}
    {%- set seed = graph.nodes.values()
        | selectattr('resource_type', 'equalto', 'seed')
        | selectattr('alias', 'equalto', model.identifier)
        | first -%}
    {%- do expected.extend(seed.config.column_types) -%}
    {%- for column in adapter.get_columns_in_relation(model) -%}
        {%- do loaded.append(column.name | lower) -%}
    {%- endfor -%}
{%- endif %}

with

expected as (

    {%- for column in expected %}
    select
        '{{ column }}' as column_name,
        {{ 'false' if column | lower in loaded else 'true' }} as is_missing
    union all
    {%- endfor %}
    select
        null as column_name,
        false as is_missing

),

final as (

    select
        column_name,
        'seed {{ seed.name }} ({{ seed.original_file_path }}) has no column ' || column_name
        || ': this version of ops-sla reads it (seeds/_seeds.yml says what it holds); add the'
        || ' column to the file' as problem
    from expected
    where is_missing

)

select * from final

{% endtest %}
