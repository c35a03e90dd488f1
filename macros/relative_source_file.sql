{#- A parquet path relative to the raw folder, so results don't depend on where the folder lives. -#}
{% macro relative_source_file(filename_column) -%}
    replace({{ filename_column }}, '{{ env_var("OPS_SLA_RAW_DIR", "data/raw") | replace("'", "''") }}/', '')
{%- endmacro %}
