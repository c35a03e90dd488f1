{#- Layers land in plainly named schemas (raw, staging, intermediate, marts, reference)
    instead of dbt's default <target>_<custom> prefix, so Tableau users see `marts`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
