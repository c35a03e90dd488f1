{#- Conversions between instants (TIMESTAMPTZ) and the team's local wall-clock time
    (naive TIMESTAMP). They name the zone explicitly, so the session TimeZone never matters. -#}

{% macro business_time_zone() -%}
    '{{ var("business_time_zone") }}'
{%- endmacro %}

{% macro local_to_instant(local_ts) -%}
    {{ return(adapter.dispatch('local_to_instant', 'ops_sla')(local_ts)) }}
{%- endmacro %}

{% macro duckdb__local_to_instant(local_ts) -%}
    timezone({{ ops_sla.business_time_zone() }}, cast({{ local_ts }} as timestamp))
{%- endmacro %}

{% macro instant_to_local(instant) -%}
    {{ return(adapter.dispatch('instant_to_local', 'ops_sla')(instant)) }}
{%- endmacro %}

{% macro duckdb__instant_to_local(instant) -%}
    timezone({{ ops_sla.business_time_zone() }}, cast({{ instant }} as timestamptz))
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
