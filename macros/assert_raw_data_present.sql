{#- Fail fast, with the path and the fix, when the raw folder is missing or empty.
    Runs as an on-run-start hook before any model reads the parquet files. -#}
{% macro assert_raw_data_present() %}
    {%- if execute and flags.WHICH in ('run', 'build') -%}
        {%- set raw_dir = ops_sla.raw_dir() -%}
        {%- set missing = [] -%}
        {%- for table, spec in ops_sla.raw_tables().items() -%}
            {%- set pattern = spec.pattern -%}
            {%- set found = run_query("select count(*) from glob(" ~ ops_sla.sql_literal(pattern) ~ ")").columns[0].values()[0] -%}
            {%- if found == 0 -%}
                {%- do missing.append(table ~ " (" ~ pattern ~ ")") -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                "ops-sla: no raw parquet files for " ~ missing | join(", ")
                ~ ". The raw folder is OPS_SLA_RAW_DIR=" ~ raw_dir
                ~ ". Generate data with `make data` (or `python scripts/generate_data.py --out " ~ raw_dir
                ~ "`), or point OPS_SLA_RAW_DIR at your own export."
            ) }}
        {%- endif -%}
    {%- endif -%}
    select 1
{% endmacro %}
