{#- Business time: see macros/business_time.yml for the contract and DECISIONLOG.md for
    the semantic choices. Both macros take instants (TIMESTAMPTZ); wrap a naive local
    timestamp in local_to_instant() first. -#}

{% macro business_minutes_between(start_ts, end_ts) -%}
    {{ return(adapter.dispatch('business_minutes_between', 'ops_sla')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro duckdb__business_minutes_between(start_ts, end_ts) -%}
    (({{ ops_sla.business_ordinal_us(end_ts) }}) - ({{ ops_sla.business_ordinal_us(start_ts) }})) / 60000000.0
{%- endmacro %}


{% macro business_minutes_add(start_ts, minutes) -%}
    {{ return(adapter.dispatch('business_minutes_add', 'ops_sla')(start_ts, minutes)) }}
{%- endmacro %}

{% macro duckdb__business_minutes_add(start_ts, minutes) -%}
    {#- NaN, infinite or absurd minutes (|minutes| * 6e7 >= 4e18, ~6.7e10 minutes) give NULL
        like any other target outside the calendar, instead of a BIGINT cast error. -#}
    {%- set index = ref('int_business_time_index') -%}
    {%- set target_us -%}
        (({{ ops_sla.business_ordinal_us(start_ts) }}) + cast(round(case
            when abs({{ minutes }}) * 60000000.0 < 4e18 then ({{ minutes }}) * 60000000.0
        end) as bigint))
    {%- endset -%}
    (case
        when {{ target_us }} >= 0
            and {{ target_us }} < (select business_bucket_count from {{ index }}) * 900000000
        then make_timestamptz(
            (select first_bucket_us from {{ index }})
            + (select business_bucket_numbers from {{ index }})[{{ target_us }} // 900000000 + 1] * 900000000
            + {{ target_us }} % 900000000
        )
    end)
{%- endmacro %}


{#- The business-time ordinal of an instant, in microseconds since the calendar's first
    bucket: ordinal at the start of its 15-minute bucket plus the time spent inside the
    bucket, capped at the next bucket's ordinal (which equals the start's ordinal when the
    bucket is outside business hours). NULL outside the calendar's range. -#}
{% macro business_ordinal_us(ts) -%}
    {{ return(adapter.dispatch('business_ordinal_us', 'ops_sla')(ts)) }}
{%- endmacro %}

{% macro duckdb__business_ordinal_us(ts) -%}
    {%- set index = ref('int_business_time_index') -%}
    {%- set offset_us -%}
        (epoch_us({{ ts }}) - (select first_bucket_us from {{ index }}))
    {%- endset -%}
    (case
        when {{ offset_us }} >= 0
            and {{ offset_us }} < (select bucket_count from {{ index }}) * 900000000
        then least(
            (select ordinals from {{ index }})[{{ offset_us }} // 900000000 + 1] * 1000000
            + {{ offset_us }} % 900000000,
            (select ordinals from {{ index }})[{{ offset_us }} // 900000000 + 2] * 1000000
        )
    end)
{%- endmacro %}
