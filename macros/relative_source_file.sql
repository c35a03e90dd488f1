{#- A parquet path relative to the raw folder, so results don't depend on where the folder lives. -#}
{% macro relative_source_file(filename_column) -%}
    replace({{ filename_column }}, '{{ env_var("OPS_SLA_RAW_DIR", "data/raw") | replace("'", "''") }}/', '')
{%- endmacro %}

{#- The inverse: the full path DuckDB reports for a file stored relative to the raw folder. -#}
{% macro absolute_source_file(relative_column) -%}
    '{{ env_var("OPS_SLA_RAW_DIR", "data/raw") | replace("'", "''") }}/' || {{ relative_column }}
{%- endmacro %}
