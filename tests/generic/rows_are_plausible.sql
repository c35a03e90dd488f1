{#- Rows of the team's export where `expression` is not true (NULL counts as not true). Each
    failing row names the file and row it came from (the model's source_file, source_row), what
    is wrong (`what`), the values of `columns`, and what to do (`fix`), in a `problem` column
    that the on-run-end hook report_failed_checks prints. -#}
{% test rows_are_plausible(model, expression, columns, what, fix) %}

{{ config(store_failures=true) }}

with

checked as (

    select *
    from {{ model }}
    where not coalesce({{ expression }}, false)

),

final as (

    select
        source_file,
        source_row,
        source_file || ' row ' || source_row || ': {{ what | replace("'", "''") }} ('
        {%- for column in columns %}
        || '{{ column }} ' || coalesce(cast({{ column }} as varchar), 'NULL')
        {%- if not loop.last %} || ', '{% endif %}
        {%- endfor %}
        || ') - {{ fix | replace("'", "''") }}' as problem
    from checked

)

select * from final

{% endtest %}
