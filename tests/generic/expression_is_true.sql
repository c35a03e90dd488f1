{#- Rows where `expression` is not true fail the test (dbt_utils-compatible name and
    arguments). With column_name, the expression is applied to that column. -#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
{% if column_name is none %}
where not ({{ expression }})
{% else %}
where not ({{ column_name }} {{ expression }})
{% endif %}

{% endtest %}
