{#- Seeds on Spark. dbt-spark's own seed insert (spark__load_csv_rows) passes each value as a
    binding, and its session connection pastes a text binding between quotes as it is: a value
    holding an apostrophe (a holiday "New Year's Day", a description) breaks the statement.
    This version writes the values into the statement itself, a text value as a literal in
    which an apostrophe or a backslash is chr(39) or chr(92), so every text loads as written
    whatever the parser's escaping settings (DECISIONLOG "Apache Spark"). -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- set column = agate_table.column_names[loop.index0] -%}
                    {%- set type = column_override.get(column, adapter.convert_type(agate_table, loop.index0)) -%}
                    cast({{ ops_sla.spark_seed_literal(value) }} as {{ type }}){{ ',' if not loop.last }}
                {%- endfor -%}){{ ',' if not loop.last }}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{#- One seed value as a Spark SQL expression (no quote or backslash inside a literal). -#}
{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is boolean -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        {%- set text = value | string -%}
        {%- if "'" in text or '\\' in text -%}
            concat('{{ text | replace('\\', "', chr(92), '") | replace("'", "', chr(39), '") }}')
        {%- else -%}
            '{{ text }}'
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
