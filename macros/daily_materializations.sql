{#- The daily run's materializations (DECISIONLOG "Incremental runs", "The daily run writes
    in place"). A daily run is allowed only with the code and vars of the last complete full
    build (on-run-start hook assert_same_code_as_full_build), on raw files whose columns and
    types the raw-contract hook checked: every table it writes already has the shape its
    model produces. So it writes into that table directly: one statement per model, in the
    model's transaction. The adapter's materializations would also stage each result in an
    extra relation, re-read the columns of both to reconcile schema changes and rename or
    drop relations - six to eight statements more, and dbt's Python around each, per model.
    Every other run (full builds, plain incremental `dbt build`s, a first build), and any
    model outside the cases below, goes to the adapter's materialization unchanged. -#}

{#- True when this daily run may write `model` straight into its existing table: not when
    the model asks for anything the adapter's materializations apply besides the rows
    (comments, grants, indexes, a SQL header, a partitioning or sort order). -#}
{% macro daily_writes_in_place(existing_relation) -%}
    {{ return(
        ops_sla.is_daily_run()
        and model.language == 'sql'
        and existing_relation is not none
        and existing_relation.is_table
        and not should_full_refresh()
        and not (config.get('persist_docs') or config.get('grants') or config.get('indexes')
                 or config.get('sql_header') or config.get('partitioned_by') or config.get('sorted_by'))
    ) }}
{%- endmacro %}

{#- Run the model's statement `main_sql` in its transaction, between its pre- and post-hooks,
    and commit: what both materializations below do once they have their statement. -#}
{% macro write_in_place(main_sql) %}
    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {% call statement('main') -%}
        {{ main_sql }}
    {%- endcall %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do adapter.commit() %}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
{% endmacro %}

{#- Incremental models: `append` inserts the model's rows by column name; `delete+insert`
    stages them in a temporary table, deletes the target rows with the same unique key (one
    column or a list of columns) and inserts the staged rows. Pre-hooks (delete_refresh_scope)
    run first, in the same transaction. A model with an enforced contract has its columns
    checked against it first, as the adapter does. -#}
{% materialization incremental, adapter='duckdb', supported_languages=['sql', 'python'] -%}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set strategy = config.get('incremental_strategy') -%}
    {%- set unique_key = config.get('unique_key') -%}
    {%- if not ops_sla.daily_writes_in_place(existing_relation)
        or strategy not in ['append', 'delete+insert']
        or (strategy == 'delete+insert' and not unique_key)
        or (unique_key is string and ',' in unique_key)
        or config.get('incremental_predicates') or config.get('predicates') -%}
        {{ return(dbt.materialization_incremental_duckdb()) }}
    {%- endif -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set staged = adapter.quote(this.identifier ~ '__daily') -%}

    {%- if model.contract.enforced -%}
        {{ get_assert_columns_equivalent(compiled_code) }}
    {%- endif -%}
    {%- set main_sql -%}
        {%- if strategy == 'append' %}
        insert into {{ this }} by name (
            {{ compiled_code }}
        )
        {%- else %}
        create or replace temporary table {{ staged }} as (
            {{ compiled_code }}
        );
        delete from {{ this }} as target using {{ staged }} as staged
        where {% for key in keys %}target.{{ key }} = staged.{{ key }}{{ ' and ' if not loop.last }}{% endfor %};
        insert into {{ this }} by name select * from {{ staged }};
        drop table {{ staged }}
        {%- endif %}
    {%- endset -%}
    {{ ops_sla.write_in_place(main_sql) }}
    {{ return({'relations': [this]}) }}
{%- endmaterialization %}

{#- Table models: replaced in one statement (DuckDB's `create or replace table` is atomic in
    the transaction; views read tables by name, so none needs rebuilding). Tables with an
    enforced contract keep the adapter's materialization, which checks it. -#}
{% materialization table, adapter='duckdb', supported_languages=['sql', 'python'] -%}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- if not ops_sla.daily_writes_in_place(existing_relation) or model.contract.enforced -%}
        {{ return(dbt.materialization_table_duckdb()) }}
    {%- endif -%}

    {%- set main_sql -%}
        create or replace table {{ this }} as (
            {{ compiled_code }}
        )
    {%- endset -%}
    {{ ops_sla.write_in_place(main_sql) }}
    {{ return({'relations': [this]}) }}
{%- endmaterialization %}
