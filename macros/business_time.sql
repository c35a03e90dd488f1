{#- Business time: see macros/business_time.yml for the contract and DECISIONLOG.md for
    the semantic choices. Both macros take instants (TIMESTAMPTZ); wrap a naive local
    timestamp in local_to_instant() first. -#}

{% macro business_minutes_between(start_ts, end_ts, index=none) -%}
    {{ return(adapter.dispatch('business_minutes_between', 'ops_sla')(start_ts, end_ts, index)) }}
{%- endmacro %}

{% macro duckdb__business_minutes_between(start_ts, end_ts, index=none) -%}
    (({{ ops_sla.business_ordinal_us(end_ts, index) }}) - ({{ ops_sla.business_ordinal_us(start_ts, index) }})) / 60000000.0
{%- endmacro %}


{% macro business_minutes_add(start_ts, minutes, index=none) -%}
    {{ return(adapter.dispatch('business_minutes_add', 'ops_sla')(start_ts, minutes, index)) }}
{%- endmacro %}

{% macro duckdb__business_minutes_add(start_ts, minutes, index=none) -%}
    {#- NaN, infinite or absurd minutes (|minutes| * 6e7 >= 4e18, ~6.7e10 minutes) give NULL
        like any other target outside the calendar, instead of a BIGINT cast error. -#}
    {%- set target_us -%}
        (({{ ops_sla.business_ordinal_us(start_ts, index) }}) + cast(round(case
            when abs({{ minutes }}) * 60000000.0 < 4e18 then ({{ minutes }}) * 60000000.0
        end) as bigint))
    {%- endset -%}
    (case
        when {{ target_us }} >= 0
            and {{ target_us }} < {{ ops_sla.business_time_index_column('business_bucket_count', index) }} * 900000000
        then make_timestamptz(
            {{ ops_sla.business_time_index_column('first_bucket_us', index) }}
            + {{ ops_sla.business_time_index_column('business_bucket_numbers', index) }}[{{ target_us }} // 900000000 + 1] * 900000000
            + {{ target_us }} % 900000000
        )
    end)
{%- endmacro %}


{#- The business-time ordinal of an instant, in microseconds since the calendar's first
    bucket: ordinal at the start of its 15-minute bucket plus the time spent inside the
    bucket, capped at the next bucket's ordinal (which equals the start's ordinal when the
    bucket is outside business hours). NULL outside the calendar's range. -#}
{% macro business_ordinal_us(ts, index=none) -%}
    {{ return(adapter.dispatch('business_ordinal_us', 'ops_sla')(ts, index)) }}
{%- endmacro %}

{% macro duckdb__business_ordinal_us(ts, index=none) -%}
    {%- set offset_us -%}
        (epoch_us({{ ts }}) - {{ ops_sla.business_time_index_column('first_bucket_us', index) }})
    {%- endset -%}
    (case
        when {{ offset_us }} >= 0
            and {{ offset_us }} < {{ ops_sla.business_time_index_column('bucket_count', index) }} * 900000000
        then least(
            {{ ops_sla.business_time_index_column('ordinals', index) }}[{{ offset_us }} // 900000000 + 1] * 1000000
            + {{ offset_us }} % 900000000,
            {{ ops_sla.business_time_index_column('ordinals', index) }}[{{ offset_us }} // 900000000 + 2] * 1000000
        )
    end)
{%- endmacro %}


{#- One of the numbers or lists of the one-row model int_business_time_index, as the
    macros read it. With `index` (not none) the numbers (first_bucket_us, bucket_count,
    business_bucket_count) are columns the calling query carries: `<index>.<column>` when it
    joins the index under the alias `index`, the bare column name when `index` is ''. The two
    lists (~10^4 elements each) are always scalar sub-queries: a join could carry them into
    every row of a hash table (a full build of int_case_sla then ran out of memory). -#}
{% macro business_time_index_column(column, index=none) -%}
    {%- if index is not none and column not in ('ordinals', 'business_bucket_numbers') -%}
        {{ index ~ '.' if index else '' }}{{ column }}
    {%- else -%}
        (select {{ column }} from {{ ref('int_business_time_index') }})
    {%- endif -%}
{%- endmacro %}
