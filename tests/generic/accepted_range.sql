{#- Values outside [min_value, max_value] fail (NULLs pass; dbt_utils-compatible). -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

select *
from {{ model }}
where {{ column_name }} is not null
  and not (
      true
      {%- if min_value is not none %}
      and {{ column_name }} {{ '>=' if inclusive else '>' }} {{ min_value }}
      {%- endif %}
      {%- if max_value is not none %}
      and {{ column_name }} {{ '<=' if inclusive else '<' }} {{ max_value }}
      {%- endif %}
  )

{% endtest %}
