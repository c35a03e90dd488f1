{#- Each combination of the listed columns appears once in the team's export. One failing row
    per repeated combination names it and the file and row of each copy (the model's
    source_file, source_row), and what to do, in a `problem` column that the on-run-end hook
    report_failed_checks prints. -#}
{% test unique_in_export(model, combination_of_columns) %}

{{ config(store_failures=true) }}

with

repeated as (

    select
        {{ combination_of_columns | join(', ') }},
        count(*) as copies,
        string_agg(source_file || ' row ' || source_row, ', ' order by source_file, source_row) as copy_rows
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1

),

final as (

    select
        *,
        ''
        {%- for column in combination_of_columns %}
        || '{{ column }} ' || coalesce(cast({{ column }} as varchar), 'NULL')
        {%- if not loop.last %} || ', '{% endif %}
        {%- endfor %}
        || ' is delivered ' || copies || ' times (' || copy_rows
        || ') - deliver it once (remove the duplicate rows or file)' as problem
    from repeated

)

select * from final

{% endtest %}
