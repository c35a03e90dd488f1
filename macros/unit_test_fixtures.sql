{#- Inputs for unit tests that pin their own settings (macros/unit_test_fixtures.yml). -#}

{#- The one row of int_business_time_index (same columns and types) for a business calendar
    given explicitly: local dates first_date .. last_date, business hours day_open ..
    day_close on the wall clock of time_zone, on the ISO weekdays `weekdays` except the dates
    in `holidays`. A unit test gives it as its int_business_time_index input (format: sql),
    so its expected minutes hold whatever the project's vars, calendar_dim or warehouse say.
    Written apart from the models (one pass over the business bucket starts, no calendar
    view), so a unit test does not reuse the code it would have to catch. -#}
{% macro business_time_index_fixture(first_date, last_date, time_zone, day_open, day_close, weekdays, holidays=[]) -%}
{%- set bucket_us = 900000000 -%}
{%- set zone = "'" ~ time_zone ~ "'" -%}
with

fixture_bounds as (

    select
        epoch_us(timezone({{ zone }}, cast(date '{{ first_date }}' as timestamp))) as first_us,
        epoch_us(timezone({{ zone }}, cast(date '{{ last_date }}' + 1 as timestamp))) as end_us

),

fixture_business_days as (

    select cast(day_start as date) as business_date
    from range(cast(date '{{ first_date }}' as timestamp), cast(date '{{ last_date }}' + 1 as timestamp), interval 1 day)
        as days (day_start)
    where
        isodow(day_start) in ({{ weekdays | join(', ') }})
        and not list_contains(
            cast([{% for day in holidays %}'{{ day }}'{{ ', ' if not loop.last }}{% endfor %}] as date []),
            cast(day_start as date)
        )

),

fixture_business_bucket_starts as (

    select unnest(range(
        epoch_us(timezone({{ zone }}, business_date + time '{{ day_open }}')),
        epoch_us(timezone({{ zone }}, business_date + time '{{ day_close }}')),
        {{ bucket_us }}
    )) as bucket_us

    from fixture_business_days

),

fixture_buckets as (

    select
        buckets.bucket_us,
        (buckets.bucket_us - fixture_bounds.first_us) // {{ bucket_us }} as bucket_number,
        starts.bucket_us is not null as is_business

    from (select unnest(range(first_us, end_us, {{ bucket_us }})) as bucket_us from fixture_bounds) as buckets
    cross join fixture_bounds
    left join fixture_business_bucket_starts as starts
        on buckets.bucket_us = starts.bucket_us

),

fixture_ordinals as (

    select
        bucket_number,
        is_business,
        900 * (count(*) filter (where is_business) over (order by bucket_number) - cast(is_business as integer))
            as business_seconds_before

    from fixture_buckets

)

select
    'default' as schedule_id,
    1 as schedule_number,
    min(fixture_bounds.first_us) as first_bucket_us,
    count(*) as bucket_count,
    count(*) filter (where fixture_ordinals.is_business) as business_bucket_count,
    cast(0 as bigint) as ordinal_base,
    cast(0 as bigint) as bucket_number_base,
    list_append(
        list(cast(fixture_ordinals.business_seconds_before as bigint) order by fixture_ordinals.bucket_number),
        cast(900 * count(*) filter (where fixture_ordinals.is_business) as bigint)
    ) as ordinals,
    list(cast(fixture_ordinals.bucket_number as bigint) order by fixture_ordinals.bucket_number)
        filter (where fixture_ordinals.is_business) as business_bucket_numbers,
    make_timestamptz(min(fixture_bounds.first_us)) as covers_from,
    make_timestamptz(min(fixture_bounds.end_us)) as covers_until

from fixture_ordinals
cross join fixture_bounds
{%- endmacro %}


{#- Rows of int_case_ownership for cases `case_ids` owned by team `default` throughout: one
    segment each, on the calendar of business_time_index_fixture with the same arguments (the
    unit test gives that fixture as its int_business_time_index input too). -#}
{% macro default_ownership_fixture(case_ids, first_date, last_date, time_zone, day_open, day_close, weekdays, holidays=[]) -%}
with

fixture_index as (

    {{ ops_sla.business_time_index_fixture(first_date, last_date, time_zone, day_open, day_close, weekdays, holidays) }}

)

select
    case_ids.case_id,
    'default' as intake_team_id,
    'default' as intake_schedule_id,
    {{ ops_sla.sql_literal(time_zone) }} as intake_time_zone,
    'default' as final_team_id,
    0 as handoff_count,
    1 as segment_count,
    [struct_pack(
        starts_us := cast(-9223372036854775807 as bigint),
        first_bucket_us := cast(fixture_index.first_bucket_us as bigint),
        bucket_count := cast(fixture_index.bucket_count as bigint),
        business_bucket_count := cast(fixture_index.business_bucket_count as bigint),
        ordinal_base := cast(0 as bigint),
        bucket_number_base := cast(0 as bigint),
        shift_us := cast(0 as bigint),
        case_us_at_start := cast(0 as bigint)
    )] as segments

from (select unnest([{% for case_id in case_ids %}{{ ops_sla.sql_literal(case_id) }}{{ ', ' if not loop.last }}{% endfor %}]) as case_id) as case_ids
cross join fixture_index
{%- endmacro %}
