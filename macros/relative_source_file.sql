{#- A parquet path relative to the raw folder, so results don't depend on where the folder lives. -#}
{% macro relative_source_file(filename_column) -%}
    replace({{ filename_column }}, {{ ops_sla.sql_literal(ops_sla.raw_dir() ~ '/') }}, '')
{%- endmacro %}
