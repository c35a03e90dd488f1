{#- SQL whose spelling differs between DuckDB and Spark SQL: one macro per construct, each
    dispatched (`default__` is DuckDB's spelling). Models write everything else in the SQL both
    engines read (`string`, `max_by`, `filter (where ...)`, `interval 1 hour`, `||`). -#}

{#- The type of an instant (UTC-based timestamp): TIMESTAMPTZ on DuckDB, TIMESTAMP on Spark
    (whose TIMESTAMP is the instant type; TIMESTAMP_NTZ is the local one). -#}
{% macro instant_type() -%}
    {{ return(adapter.dispatch('instant_type', 'ops_sla')()) }}
{%- endmacro %}
{% macro default__instant_type() %}{{ return('timestamptz') }}{% endmacro %}
{% macro spark__instant_type() %}{{ return('timestamp') }}{% endmacro %}

{#- Aggregate: the values of `expr` as a list, ordered by the expressions of list `order_by`
    (ascending; the keys must not be NULL: Spark sorts a NULL key first, DuckDB last, and
    Spark breaks ties by value), of the rows where `where` holds if given (NULL when none). -#}
{% macro ordered_list(expr, order_by, where=none) -%}
    {{ return(adapter.dispatch('ordered_list', 'ops_sla')(expr, order_by, where)) }}
{%- endmacro %}
{% macro default__ordered_list(expr, order_by, where=none) -%}
    list({{ expr }} order by {{ order_by | join(', ') }}){% if where %} filter (where {{ where }}){% endif %}
{%- endmacro %}
{% macro spark__ordered_list(expr, order_by, where=none) -%}
    nullif(transform(
        array_sort(collect_list(struct({% for key in order_by %}{{ key }} as k{{ loop.index }}, {% endfor %}{{ expr }} as v)){% if where %} filter (where {{ where }}){% endif %}),
        item -> item.v
    ), array())
{%- endmacro %}

{#- Aggregate: the text values of `expr` joined by `separator` (a SQL string), in the order of
    the expressions of list `order_by` (NULL values skipped). -#}
{% macro ordered_string_agg(expr, separator, order_by) -%}
    {{ return(adapter.dispatch('ordered_string_agg', 'ops_sla')(expr, separator, order_by)) }}
{%- endmacro %}
{% macro default__ordered_string_agg(expr, separator, order_by) -%}
    string_agg({{ expr }}, {{ separator }} order by {{ order_by | join(', ') }})
{%- endmacro %}
{% macro spark__ordered_string_agg(expr, separator, order_by) -%}
    array_join({{ ops_sla.ordered_list(expr, order_by) }}, {{ separator }})
{%- endmacro %}

{#- An empty list of elements of type `element_type`. -#}
{% macro empty_list(element_type) -%}
    {{ return(adapter.dispatch('empty_list', 'ops_sla')(element_type)) }}
{%- endmacro %}
{% macro default__empty_list(element_type) -%}
    cast([] as {{ element_type }}[])
{%- endmacro %}
{% macro spark__empty_list(element_type) -%}
    cast(array() as array<{{ element_type }}>)
{%- endmacro %}

{#- One row per element of list `expr` (a select-list expression; an empty or NULL list gives
    no row). -#}
{% macro unnest_list(expr) -%}
    {{ return(adapter.dispatch('unnest_list', 'ops_sla')(expr)) }}
{%- endmacro %}
{% macro default__unnest_list(expr) -%}
    unnest({{ expr }})
{%- endmacro %}
{% macro spark__unnest_list(expr) -%}
    explode({{ expr }})
{%- endmacro %}

{#- A struct of the named values of dict `fields` ({name: SQL expression}, in order). -#}
{% macro make_struct(fields) -%}
    {{ return(adapter.dispatch('make_struct', 'ops_sla')(fields)) }}
{%- endmacro %}
{% macro default__make_struct(fields) -%}
    struct_pack({% for name, value in fields.items() %}{{ name }} := {{ value }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}
{% macro spark__make_struct(fields) -%}
    named_struct({% for name, value in fields.items() %}'{{ name }}', {{ value }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{#- Microseconds since 1970-01-01 00:00 UTC of instant `ts` (BIGINT). -#}
{% macro epoch_us(ts) -%}
    {{ return(adapter.dispatch('epoch_us', 'ops_sla')(ts)) }}
{%- endmacro %}
{% macro default__epoch_us(ts) -%}
    epoch_us({{ ts }})
{%- endmacro %}
{% macro spark__epoch_us(ts) -%}
    unix_micros({{ ts }})
{%- endmacro %}

{#- Seconds since 1970-01-01 00:00 UTC of instant `ts` (DOUBLE, microsecond fractions). -#}
{% macro epoch_seconds(ts) -%}
    {{ return(adapter.dispatch('epoch_seconds', 'ops_sla')(ts)) }}
{%- endmacro %}
{% macro default__epoch_seconds(ts) -%}
    epoch({{ ts }})
{%- endmacro %}
{% macro spark__epoch_seconds(ts) -%}
    (cast(unix_micros({{ ts }}) as double) / 1000000)
{%- endmacro %}

{#- The instant `us` microseconds after 1970-01-01 00:00 UTC. -#}
{% macro instant_from_epoch_us(us) -%}
    {{ return(adapter.dispatch('instant_from_epoch_us', 'ops_sla')(us)) }}
{%- endmacro %}
{% macro default__instant_from_epoch_us(us) -%}
    make_timestamptz({{ us }})
{%- endmacro %}
{% macro spark__instant_from_epoch_us(us) -%}
    timestamp_micros({{ us }})
{%- endmacro %}

{#- ISO weekday of date `d`: 1 = Monday ... 7 = Sunday. -#}
{% macro iso_weekday(d) -%}
    {{ return(adapter.dispatch('iso_weekday', 'ops_sla')(d)) }}
{%- endmacro %}
{% macro default__iso_weekday(d) -%}
    isodow({{ d }})
{%- endmacro %}
{% macro spark__iso_weekday(d) -%}
    extract(dayofweek_iso from {{ d }})
{%- endmacro %}

{#- Integer division of BIGINTs `a` by `b`, rounded toward negative infinity for the
    non-negative operands the models pass. -#}
{% macro int_div(a, b) -%}
    {{ return(adapter.dispatch('int_div', 'ops_sla')(a, b)) }}
{%- endmacro %}
{% macro default__int_div(a, b) -%}
    (({{ a }}) // ({{ b }}))
{%- endmacro %}
{% macro spark__int_div(a, b) -%}
    (({{ a }}) div ({{ b }}))
{%- endmacro %}

{#- Aggregate: the continuous (interpolated) quantile `fraction` of `expr`. -#}
{% macro quantile(expr, fraction) -%}
    {{ return(adapter.dispatch('quantile', 'ops_sla')(expr, fraction)) }}
{%- endmacro %}
{% macro default__quantile(expr, fraction) -%}
    quantile_cont({{ expr }}, {{ fraction }})
{%- endmacro %}
{% macro spark__quantile(expr, fraction) -%}
    percentile({{ expr }}, {{ fraction }})
{%- endmacro %}

{#- Rows `start`, `start + step`, ... before `stop` as a select-list expression of one column
    (BIGINT): one row per value. -#}
{% macro range_rows(start, stop, step=1) -%}
    {{ return(adapter.dispatch('range_rows', 'ops_sla')(start, stop, step)) }}
{%- endmacro %}
{% macro default__range_rows(start, stop, step) -%}
    unnest(range({{ start }}, {{ stop }}, {{ step }}))
{%- endmacro %}
{% macro spark__range_rows(start, stop, step) -%}
    explode(case when ({{ stop }}) > ({{ start }}) then sequence(cast({{ start }} as bigint), cast({{ stop }} as bigint) - 1, cast({{ step }} as bigint)) else array() end)
{%- endmacro %}

{#- The planner hint after `<cte> as` that DuckDB reads (`materialized`: compute once;
    `not materialized`: inline into each reader); nothing on Spark, which decides itself.
    `how` is 'materialized' or 'not materialized'. -#}
{% macro cte_hint(how) -%}
    {{ return(adapter.dispatch('cte_hint', 'ops_sla')(how)) }}
{%- endmacro %}
{% macro default__cte_hint(how) -%}
    {{ how }}
{%- endmacro %}
{% macro spark__cte_hint(how) -%}
{%- endmacro %}

{#- The local wall-clock time `minutes` (a SQL expression: minutes after midnight, 1440 the next
    midnight) on local date `date_expr`, as a naive timestamp for local_to_instant. -#}
{% macro wall_time_on(date_expr, minutes) -%}
    {{ return(adapter.dispatch('wall_time_on', 'ops_sla')(date_expr, minutes)) }}
{%- endmacro %}
{% macro default__wall_time_on(date_expr, minutes) -%}
    ({{ date_expr }} + to_minutes({{ minutes }}))
{%- endmacro %}
{% macro spark__wall_time_on(date_expr, minutes) -%}
    (cast({{ date_expr }} as timestamp_ntz) + make_dt_interval(0, 0, {{ minutes }}))
{%- endmacro %}

{#- Window aggregate: the number of distinct rows (tuples, NULL fields included) of the
    expressions of list `exprs` in the window partitioned by `partition_by` (Spark has no
    DISTINCT in a window). -#}
{% macro count_distinct_rows_over(exprs, partition_by) -%}
    {{ return(adapter.dispatch('count_distinct_rows_over', 'ops_sla')(exprs, partition_by)) }}
{%- endmacro %}
{% macro default__count_distinct_rows_over(exprs, partition_by) -%}
    count(distinct row({{ exprs | join(', ') }})) over (partition by {{ partition_by }})
{%- endmacro %}
{% macro spark__count_distinct_rows_over(exprs, partition_by) -%}
    size(collect_set(struct({{ exprs | join(', ') }})) over (partition by {{ partition_by }}))
{%- endmacro %}

{#- List `list_expr` with `item` appended. -#}
{% macro list_append_item(list_expr, item) -%}
    {{ return(adapter.dispatch('list_append_item', 'ops_sla')(list_expr, item)) }}
{%- endmacro %}
{% macro default__list_append_item(list_expr, item) -%}
    list_append({{ list_expr }}, {{ item }})
{%- endmacro %}
{% macro spark__list_append_item(list_expr, item) -%}
    concat({{ list_expr }}, array({{ item }}))
{%- endmacro %}

{#- The parts of text `expr` between occurrences of `separator` (a plain character, not a
    pattern), as a list. -#}
{% macro split_text(expr, separator) -%}
    {{ return(adapter.dispatch('split_text', 'ops_sla')(expr, separator)) }}
{%- endmacro %}
{% macro default__split_text(expr, separator) -%}
    string_split({{ expr }}, '{{ separator }}')
{%- endmacro %}
{% macro spark__split_text(expr, separator) -%}
    split({{ expr }}, '\Q{{ separator }}\E')
{%- endmacro %}

{#- Several rows from each input row, one per dict of list `rows` ({column: SQL expression},
    the same columns in each): a select-list expression giving those columns. -#}
{% macro rows_of(rows) -%}
    {{ return(adapter.dispatch('rows_of', 'ops_sla')(rows)) }}
{%- endmacro %}
{% macro default__rows_of(rows) -%}
    unnest([
        {%- for row in rows %}
        {{ ops_sla.make_struct(row) }}{{ ',' if not loop.last }}
        {%- endfor %}
    ], recursive := true)
{%- endmacro %}
{% macro spark__rows_of(rows) -%}
    inline(array(
        {%- for row in rows %}
        {{ ops_sla.make_struct(row) }}{{ ',' if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}

{#- Window: the last non-NULL value of `expr` among the rows of the same `partition_by` whose
    instant `instant_column` is earlier than the current row's (rows at the same instant
    excluded). -#}
{% macro last_value_before_instant(expr, partition_by, instant_column) -%}
    {{ return(adapter.dispatch('last_value_before_instant', 'ops_sla')(expr, partition_by, instant_column)) }}
{%- endmacro %}
{% macro default__last_value_before_instant(expr, partition_by, instant_column) -%}
    last_value({{ expr }} ignore nulls) over (
        partition by {{ partition_by }}
        order by {{ instant_column }}
        range between unbounded preceding and current row exclude group
    )
{%- endmacro %}
{#- Spark has no EXCLUDE GROUP: the frame ends a microsecond (the instants' resolution) before
    the current row's instant. -#}
{% macro spark__last_value_before_instant(expr, partition_by, instant_column) -%}
    last({{ expr }}, true) over (
        partition by {{ partition_by }}
        order by {{ instant_column }}
        range between unbounded preceding and interval 1 microsecond preceding
    )
{%- endmacro %}

{#- Aggregate: the product of the DOUBLE values of `expr` (NULLs skipped; NULL when none), taken
    in ascending order on Spark, which has no product aggregate in SQL (DuckDB multiplies in
    arrival order: with three or more factors the last bit could differ). -#}
{% macro product_of(expr) -%}
    {{ return(adapter.dispatch('product_of', 'ops_sla')(expr)) }}
{%- endmacro %}
{% macro default__product_of(expr) -%}
    product({{ expr }})
{%- endmacro %}
{% macro spark__product_of(expr) -%}
    aggregate(
        nullif(array_sort(collect_list(cast({{ expr }} as double))), array()),
        cast(1 as double),
        (acc, value) -> acc * value
    )
{%- endmacro %}

{#- Aggregate: the sum of the DOUBLE values of `expr` added one by one in the order of the
    expressions of list `order_by` (so that the total's last bits do not depend on the order
    rows arrive in), over the rows where `where` holds if given; NULL when there are none. -#}
{% macro ordered_sum(expr, order_by, where=none) -%}
    {{ return(adapter.dispatch('ordered_sum', 'ops_sla')(expr, order_by, where)) }}
{%- endmacro %}
{% macro default__ordered_sum(expr, order_by, where=none) -%}
    sum({{ expr }} order by {{ order_by | join(', ') }}){% if where %} filter (where {{ where }}){% endif %}
{%- endmacro %}
{% macro spark__ordered_sum(expr, order_by, where=none) -%}
    aggregate(
        {{ ops_sla.ordered_list('cast(' ~ expr ~ ' as double)', order_by, where) }},
        cast(null as double),
        (total, value) -> case when value is null then total else coalesce(total, 0) + value end
    )
{%- endmacro %}

{#- The earliest instant: a watermark before any data (DuckDB's -infinity; Spark has no
    infinite timestamps, and a cast of '-infinity' would be NULL). -#}
{% macro earliest_instant() -%}
    {{ return(adapter.dispatch('earliest_instant', 'ops_sla')()) }}
{%- endmacro %}
{% macro default__earliest_instant() -%}
    cast('-infinity' as timestamptz)
{%- endmacro %}
{% macro spark__earliest_instant() -%}
    cast('0001-01-01 00:00:00' as timestamp)
{%- endmacro %}
