{#- Conversions between instants (TIMESTAMPTZ) and the team's local wall-clock time
    (naive TIMESTAMP). They name the zone explicitly, so the session TimeZone never matters. -#}

{% macro business_time_zone() -%}
    '{{ var("business_time_zone") }}'
{%- endmacro %}

{#- The instant a local wall-clock time names: in var business_time_zone, or in `zone` (a SQL
    expression giving an IANA zone name, e.g. a schedule's time_zone column). A wall time a DST
    change skips takes the offset before the change. -#}
{% macro local_to_instant(local_ts, zone=none) -%}
    {{ return(adapter.dispatch('local_to_instant', 'ops_sla')(local_ts, zone)) }}
{%- endmacro %}

{% macro duckdb__local_to_instant(local_ts, zone=none) -%}
    timezone({{ zone if zone is not none else ops_sla.business_time_zone() }}, cast({{ local_ts }} as timestamp))
{%- endmacro %}

{#- Spark: instants are TIMESTAMP (LTZ), local wall times TIMESTAMP_NTZ. to_utc_timestamp takes
    the offset before the change for a skipped wall time, as DuckDB does, but the earlier
    instant for a repeated one (the hour a DST change repeats), where DuckDB takes the later:
    the later reading (the offset 3 hours on) is kept when it names the same wall time. Reads
    NTZ values in the session zone, which the Spark target fixes to UTC
    (spark.sql.session.timeZone). -#}
{% macro spark__local_to_instant(local_ts, zone=none) -%}
    {%- set z = zone if zone is not none else ops_sla.business_time_zone() -%}
    {%- set wall -%}cast({{ local_ts }} as timestamp_ntz){%- endset -%}
    {%- set later -%}(to_utc_timestamp({{ wall }} + interval 3 hours, {{ z }}) - interval 3 hours){%- endset -%}
    (case
        when cast(from_utc_timestamp({{ later }}, {{ z }}) as timestamp_ntz) = {{ wall }} then {{ later }}
        else to_utc_timestamp({{ wall }}, {{ z }})
    end)
{%- endmacro %}

{% macro instant_to_local(instant, zone=none) -%}
    {{ return(adapter.dispatch('instant_to_local', 'ops_sla')(instant, zone)) }}
{%- endmacro %}

{% macro duckdb__instant_to_local(instant, zone=none) -%}
    timezone({{ zone if zone is not none else ops_sla.business_time_zone() }}, cast({{ instant }} as timestamptz))
{%- endmacro %}

{% macro spark__instant_to_local(instant, zone=none) -%}
    cast(from_utc_timestamp(cast({{ instant }} as timestamp), {{ zone if zone is not none else ops_sla.business_time_zone() }}) as timestamp_ntz)
{%- endmacro %}

{#- Minutes since midnight of a 'HH:MM' text (e.g. a seed's opens_at); '24:00' is 1440. -#}
{% macro minutes_of_day(hh_mm) -%}
    (cast(split_part({{ hh_mm }}, ':', 1) as integer) * 60 + cast(split_part({{ hh_mm }}, ':', 2) as integer))
{%- endmacro %}

{#- The instant from which a time is too late for a raw file filed under local date
    `date_expression` (a partition folder's date): local midnight after the day following
    it. Rows ingested (events) or opened (cases) from then on are bad stamps, not late files
    (DECISIONLOG "Event cleaning", rule 8). -#}
{% macro after_file_date(date_expression) -%}
    {{ ops_sla.local_to_instant(date_expression ~ ' + 2') }}
{%- endmacro %}

{#- The instant before which a case intake is too early for the cases file filed under local
    date `date_expression` (its intake_date folder): local midnight starting the day before
    it. The day before is tolerated as the day after is (after_file_date): folders dated in
    UTC put a team west of UTC's evening intakes under the next date (DECISIONLOG "Event
    cleaning", rule 8). -#}
{% macro before_file_date(date_expression) -%}
    {{ ops_sla.local_to_instant(date_expression ~ ' - 1') }}
{%- endmacro %}

{#- True when `instant` lies in the period `period` ([starts_at, ends_at), NULL = unbounded on
    that side): a row of int_team_schedule_periods, the schedule a team works to at an instant. -#}
{% macro in_period(instant, period) -%}
    ({{ period }}.starts_at is null or {{ instant }} >= {{ period }}.starts_at)
    and ({{ period }}.ends_at is null or {{ instant }} < {{ period }}.ends_at)
{%- endmacro %}
