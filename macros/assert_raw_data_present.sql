{#- Fail fast, with the path and the fix, when the raw folder is missing or empty.
    Runs as an on-run-start hook before any model reads the parquet files. -#}
{% macro assert_raw_data_present() %}
    {%- if execute and flags.WHICH in ('run', 'build') -%}
        {%- set raw_dir = ops_sla.raw_dir() -%}
        {%- set tables = ops_sla.raw_tables() -%}
        {#- one query for the four folders (a round trip each cost more than the listing) -#}
        {%- set found_sql -%}
            select
            {%- for table, spec in tables.items() %}
                (select count(*) from glob({{ ops_sla.sql_literal(spec.pattern) }})) as {{ table }}{{ ',' if not loop.last }}
            {%- endfor %}
        {%- endset -%}
        {%- set found = run_query(found_sql).rows[0] -%}
        {%- set missing = [] -%}
        {%- for table, spec in tables.items() if found[table] == 0 -%}
            {%- do missing.append(table ~ " (" ~ spec.pattern ~ ")") -%}
        {%- endfor -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                "ops-sla: no raw parquet files for " ~ missing | join(", ")
                ~ ". The raw folder is OPS_SLA_RAW_DIR=" ~ raw_dir
                ~ ". Generate data with `make data` (or `ops-sla-generate --out " ~ raw_dir
                ~ "`), or point OPS_SLA_RAW_DIR at your own export."
            ) }}
        {%- endif -%}
    {%- endif -%}
    select 1
{% endmacro %}
