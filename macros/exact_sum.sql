{#- Order-independent sum of business minutes. Summing DOUBLEs depends on the order rows
    arrive in (threads, incremental appends, Spark's partitions), so the last bits of a total
    could differ between two builds of the same data. Business minutes are whole microseconds
    / 60e6: summed as integer microseconds, totals are exact and identical however rows are
    ordered (DOUBLE). -#}
{% macro sum_minutes(expression) -%}
    {{ return(adapter.dispatch('sum_minutes', 'ops_sla')(expression)) }}
{%- endmacro %}

{% macro default__sum_minutes(expression) -%}
    (sum(cast(round(({{ expression }}) * 60000000.0) as hugeint)) / 60000000.0)
{%- endmacro %}

{#- Spark has no HUGEINT: BIGINT microseconds (up to ~292,000 years) -#}
{% macro spark__sum_minutes(expression) -%}
    (cast(sum(cast(round(cast({{ expression }} as double) * 60000000) as bigint)) as double) / 60000000)
{%- endmacro %}

{#- Window: the order-independent sum of business minutes (see sum_minutes) over the window
    `window` (the text inside `over (...)`). -#}
{% macro sum_minutes_over(expression, window) -%}
    {{ return(adapter.dispatch('sum_minutes_over', 'ops_sla')(expression, window)) }}
{%- endmacro %}

{% macro default__sum_minutes_over(expression, window) -%}
    (sum(cast(round(({{ expression }}) * 60000000.0) as hugeint)) over ({{ window }}) / 60000000.0)
{%- endmacro %}

{% macro spark__sum_minutes_over(expression, window) -%}
    (cast(sum(cast(round(cast({{ expression }} as double) * 60000000) as bigint)) over ({{ window }}) as double) / 60000000)
{%- endmacro %}

{#- Order-independent mean of business minutes (see sum_minutes). -#}
{% macro avg_minutes(expression) -%}
    ({{ ops_sla.sum_minutes(expression) }} / count({{ expression }}))
{%- endmacro %}
