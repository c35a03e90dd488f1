{#- A parquet path relative to the raw folder, so results don't depend on where the folder lives. -#}
{% macro relative_source_file(filename_column) -%}
    replace({{ filename_column }}, {{ ops_sla.sql_literal(ops_sla.raw_dir() ~ '/') }}, '')
{%- endmacro %}

{#- The instant from which a time is too late for a raw file filed under local date
    `date_expression` (a partition folder's date): local midnight after the day following
    it. Rows ingested (events) or opened (cases) from then on are bad stamps, not late files
    (DECISIONLOG "Event cleaning", rule 8). -#}
{% macro after_file_date(date_expression) -%}
    {{ ops_sla.local_to_instant(date_expression ~ ' + 2') }}
{%- endmacro %}
