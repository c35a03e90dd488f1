{#- Business time: see macros/business_time.yml for the contract and DECISIONLOG.md for
    the semantic choices. Both macros take instants (TIMESTAMPTZ); wrap a naive local
    timestamp in local_to_instant() first. -#}

{% macro business_minutes_between(start_ts, end_ts, index=none) -%}
    {{ return(adapter.dispatch('business_minutes_between', 'ops_sla')(start_ts, end_ts, index)) }}
{%- endmacro %}

{% macro duckdb__business_minutes_between(start_ts, end_ts, index=none) -%}
    (({{ ops_sla.business_ordinal_us(end_ts, index) }}) - ({{ ops_sla.business_ordinal_us(start_ts, index) }})) / 60000000.0
{%- endmacro %}

{#- Spark: the same subtraction; minutes as DOUBLE, as DuckDB's BIGINT / 60000000.0 gives
    (in Spark 60000000.0 is a DECIMAL literal, hence the D suffix). -#}
{% macro spark__business_minutes_between(start_ts, end_ts, index=none) -%}
    {{ ops_sla.us_to_minutes('(' ~ ops_sla.business_ordinal_us(end_ts, index) ~ ') - (' ~ ops_sla.business_ordinal_us(start_ts, index) ~ ')') }}
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

{#- Spark: unix_micros / timestamp_micros for epoch_us / make_timestamptz; element_at (1-based,
    INT index, NULL out of range with ANSI off, which dbt-spark forces) for list[i]; `div`
    for `//`. round() on DOUBLE rounds half away from zero on both engines. -#}
{% macro spark__business_minutes_add(start_ts, minutes, index=none) -%}
    {%- set target_us -%}
        (({{ ops_sla.business_ordinal_us(start_ts, index) }}) + cast(round(case
            when abs({{ minutes }}) * 60000000.0D < 4e18D then ({{ minutes }}) * 60000000.0D
        end) as bigint))
    {%- endset -%}
    (case
        when {{ target_us }} >= 0
            and {{ target_us }} < {{ ops_sla.business_time_index_column('business_bucket_count', index) }} * 900000000
        then timestamp_micros(
            {{ ops_sla.business_time_index_column('first_bucket_us', index) }}
            + element_at({{ ops_sla.business_time_index_column('business_bucket_numbers', index) }}, cast({{ target_us }} div 900000000 + 1 as int)) * 900000000
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

{% macro spark__business_ordinal_us(ts, index=none) -%}
    {%- set offset_us -%}
        (unix_micros({{ ts }}) - {{ ops_sla.business_time_index_column('first_bucket_us', index) }})
    {%- endset -%}
    (case
        when {{ offset_us }} >= 0
            and {{ offset_us }} < {{ ops_sla.business_time_index_column('bucket_count', index) }} * 900000000
        then least(
            element_at({{ ops_sla.business_time_index_column('ordinals', index) }}, cast({{ offset_us }} div 900000000 + 1 as int)) * 1000000
            + {{ offset_us }} % 900000000,
            element_at({{ ops_sla.business_time_index_column('ordinals', index) }}, cast({{ offset_us }} div 900000000 + 2 as int)) * 1000000
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
        (select {{ column }} from {{ ref('int_business_time_index') }} where schedule_id = 'default')
    {%- endif -%}
{%- endmacro %}


{#- ---------------------------------------------------------------- several schedules
    A case's business time accrues under the schedule of the team owning it at each instant
    (DECISIONLOG "Several business schedules"). int_case_ownership gives each case a list of
    segments, one per stretch of one owner on one schedule, in time order: structs of
      starts_us             epoch microseconds the segment starts (the first one also covers
                            everything before it)
      first_bucket_us, bucket_count, business_bucket_count, ordinal_base, bucket_number_base
                            the segment's schedule's row of int_business_time_index
      shift_us              the case's ordinal minus the schedule's ordinal inside the segment
      case_us_at_start      the case's business ordinal at the segment's start
    The case's business ordinal of an instant is its segment's schedule ordinal plus shift_us:
    continuous across hand-offs, so business time between two instants is one subtraction,
    summed over the segments it crosses. O(1) per instant and segment. -#}

{#- The segment of `segments` an instant falls in: the last starting at or before it (the first
    for an instant before all of them). -#}
{% macro case_segment_at(ts, segments) -%}
    {{ return(adapter.dispatch('case_segment_at', 'ops_sla')(ts, segments)) }}
{%- endmacro %}

{% macro duckdb__case_segment_at(ts, segments) -%}
    {#- most cases have one segment: no lambda for them -#}
    (case
        when len({{ segments }}) = 1 then ({{ segments }})[1]
        else coalesce(list_filter({{ segments }}, lambda s: struct_extract(s, 'starts_us') <= epoch_us({{ ts }}))[-1], ({{ segments }})[1])
    end)
{%- endmacro %}

{#- Spark: size/filter/element_at(-1) for len/list_filter/[-1]; the lambda reads the row's
    `ts` (an outer column reference, which Spark allows; a sub-query it does not). -#}
{% macro spark__case_segment_at(ts, segments) -%}
    (case
        when size({{ segments }}) = 1 then element_at({{ segments }}, 1)
        else coalesce(element_at(filter({{ segments }}, s -> s.starts_us <= unix_micros({{ ts }})), -1), element_at({{ segments }}, 1))
    end)
{%- endmacro %}

{#- The case's business ordinal (microseconds) of instant `ts` in segment `segment` (a struct
    of int_case_ownership.segments, e.g. case_segment_at's); NULL outside the schedule's
    calendar range. -#}
{% macro segment_ordinal_us(ts, segment) -%}
    {{ return(adapter.dispatch('segment_ordinal_us', 'ops_sla')(ts, segment)) }}
{%- endmacro %}

{% macro duckdb__segment_ordinal_us(ts, segment) -%}
    {%- set offset_us -%}(epoch_us({{ ts }}) - ({{ segment }}).first_bucket_us){%- endset -%}
    {%- set ordinals -%}(select flatten(list(ordinals order by schedule_number)) from {{ ref('int_business_time_index') }}){%- endset -%}
    (case
        when {{ offset_us }} >= 0 and {{ offset_us }} < ({{ segment }}).bucket_count * 900000000
        then least(
            {{ ordinals }}[({{ segment }}).ordinal_base + {{ offset_us }} // 900000000 + 1] * 1000000
            + {{ offset_us }} % 900000000,
            {{ ordinals }}[({{ segment }}).ordinal_base + {{ offset_us }} // 900000000 + 2] * 1000000
        ) + ({{ segment }}).shift_us
    end)
{%- endmacro %}

{#- Spark: the concatenation of every schedule's ordinals in schedule_number order (DuckDB's
    flatten(list(... order by ...))): collect (schedule_number, list) pairs, sort, flatten. -#}
{% macro spark__segment_ordinal_us(ts, segment) -%}
    {%- set offset_us -%}(unix_micros({{ ts }}) - ({{ segment }}).first_bucket_us){%- endset -%}
    {%- set ordinals -%}(select flatten(transform(array_sort(collect_list(struct(schedule_number, ordinals))), x -> x.ordinals)) from {{ ref('int_business_time_index') }}){%- endset -%}
    (case
        when {{ offset_us }} >= 0 and {{ offset_us }} < ({{ segment }}).bucket_count * 900000000
        then least(
            element_at({{ ordinals }}, cast(({{ segment }}).ordinal_base + {{ offset_us }} div 900000000 + 1 as int)) * 1000000
            + {{ offset_us }} % 900000000,
            element_at({{ ordinals }}, cast(({{ segment }}).ordinal_base + {{ offset_us }} div 900000000 + 2 as int)) * 1000000
        ) + ({{ segment }}).shift_us
    end)
{%- endmacro %}

{#- The case's business ordinal (microseconds) of instant `ts`, `segments` its segment list. -#}
{% macro case_business_ordinal_us(ts, segments) -%}
    {{ ops_sla.segment_ordinal_us(ts, ops_sla.case_segment_at(ts, segments)) }}
{%- endmacro %}

{#- Business minutes of a case between two instants, under the schedules owning it. -#}
{% macro case_business_minutes_between(start_ts, end_ts, segments) -%}
    {{ ops_sla.us_to_minutes('(' ~ ops_sla.case_business_ordinal_us(end_ts, segments) ~ ') - (' ~ ops_sla.case_business_ordinal_us(start_ts, segments) ~ ')') }}
{%- endmacro %}

{#- Microseconds (a BIGINT expression) as fractional minutes, a DOUBLE on both engines. -#}
{% macro us_to_minutes(us) -%}
    {{ return(adapter.dispatch('us_to_minutes', 'ops_sla')(us)) }}
{%- endmacro %}

{% macro duckdb__us_to_minutes(us) -%}
    ({{ us }}) / 60000000.0
{%- endmacro %}

{#- Spark reads 60000000.0 as a DECIMAL literal (the quotient would be a DECIMAL(31,10)): a
    DOUBLE division, as DuckDB's BIGINT / 60000000.0 is. -#}
{% macro spark__us_to_minutes(us) -%}
    cast({{ us }} as double) / 60000000.0D
{%- endmacro %}

{#- The instant at which a case's business ordinal is `ordinal_us` (the latest such instant:
    an ordinal reached exactly at a close gives the next opening of the schedule owning the
    case then); NULL outside the calendar range. `ordinal_us` must read columns only, no
    sub-query (DuckDB evaluates it inside a lambda): compute a start's ordinal in an earlier
    CTE with case_business_ordinal_us. -#}
{% macro case_instant_at_ordinal(ordinal_us, segments) -%}
    {{ return(adapter.dispatch('case_instant_at_ordinal', 'ops_sla')(ordinal_us, segments)) }}
{%- endmacro %}

{% macro duckdb__case_instant_at_ordinal(ordinal_us, segments) -%}
    {%- set segment -%}
        (case
            when len({{ segments }}) = 1 then ({{ segments }})[1]
            else coalesce(
                list_filter({{ segments }}, lambda s: struct_extract(s, 'case_us_at_start') <= ({{ ordinal_us }}))[-1], ({{ segments }})[1]
            )
        end)
    {%- endset -%}
    {%- set local_us -%}(({{ ordinal_us }}) - ({{ segment }}).shift_us){%- endset -%}
    {%- set bucket_numbers -%}(select flatten(list(business_bucket_numbers order by schedule_number)) from {{ ref('int_business_time_index') }}){%- endset -%}
    (case
        when {{ local_us }} >= 0 and {{ local_us }} < ({{ segment }}).business_bucket_count * 900000000
        then make_timestamptz(
            ({{ segment }}).first_bucket_us
            + {{ bucket_numbers }}[({{ segment }}).bucket_number_base + {{ local_us }} // 900000000 + 1] * 900000000
            + {{ local_us }} % 900000000
        )
    end)
{%- endmacro %}

{% macro spark__case_instant_at_ordinal(ordinal_us, segments) -%}
    {%- set segment -%}
        (case
            when size({{ segments }}) = 1 then element_at({{ segments }}, 1)
            else coalesce(
                element_at(filter({{ segments }}, s -> s.case_us_at_start <= ({{ ordinal_us }})), -1), element_at({{ segments }}, 1)
            )
        end)
    {%- endset -%}
    {%- set local_us -%}(({{ ordinal_us }}) - ({{ segment }}).shift_us){%- endset -%}
    {%- set bucket_numbers -%}(select flatten(transform(array_sort(collect_list(struct(schedule_number, business_bucket_numbers))), x -> x.business_bucket_numbers)) from {{ ref('int_business_time_index') }}){%- endset -%}
    (case
        when {{ local_us }} >= 0 and {{ local_us }} < ({{ segment }}).business_bucket_count * 900000000
        then timestamp_micros(
            ({{ segment }}).first_bucket_us
            + element_at({{ bucket_numbers }}, cast(({{ segment }}).bucket_number_base + {{ local_us }} div 900000000 + 1 as int)) * 900000000
            + {{ local_us }} % 900000000
        )
    end)
{%- endmacro %}

{#- Business minutes as whole microseconds (round half to even), NULL for NaN, infinite or
    absurd minutes (|minutes| * 6e7 >= 4e18), to add to a case's business ordinal: a breach
    instant is case_instant_at_ordinal('<start ordinal column> + ' ~ minutes_to_us(target)). -#}
{% macro minutes_to_us(minutes) -%}
    cast(round(case when abs({{ minutes }}) * 60000000.0 < 4e18 then ({{ minutes }}) * 60000000.0 end) as bigint)
{%- endmacro %}
