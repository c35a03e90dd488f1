{#- A parquet path relative to the raw folder, so results don't depend on where the folder lives.
    (DuckDB names the files with the raw folder as it was given; Spark by absolute path or URI,
    which is why the Spark target needs the raw folder given so: spark_raw_relation.) -#}
{% macro relative_source_file(filename_column) -%}
    replace({{ filename_column }}, {{ ops_sla.sql_literal(ops_sla.raw_dir() ~ '/') }}, '')
{%- endmacro %}
