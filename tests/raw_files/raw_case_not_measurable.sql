-- Cases the SLA clocks cannot measure: every raw case must reach case_sla (cases have no
-- quarantine), so each of these stops the build. One row per case row and problem, naming
-- the file, the row, the column and the value: a NULL or blank case_id, tier, case_type or
-- team_tz; an intake_ts that is NULL, before var earliest_plausible_ts, outside calendar_dim
-- (as delivered now: loaded cases are checked again), or after the day following its
-- folder's intake_date (it would become the as-of instant).

{{ config(store_failures=true, tags=['raw_files']) }}

{%- set earliest = "cast(" ~ ops_sla.sql_literal(var('earliest_plausible_ts')) ~ " as timestamptz)" %}

with

cases as (

    select * from {{ ref('raw_cases') }}

),

calendar_dates as (

    select calendar_date from {{ ref('raw_calendar_dim') }}

),

calendar as (

    select
        min(calendar_date) as first_date,
        max(calendar_date) as last_date
    from calendar_dates

),

blank_values as (
    {%- for column in ['case_id', 'tier', 'case_type', 'team_tz'] %}
        {% if not loop.first %}union all
        {% endif -%}
        select
            source_file,
            source_row,
            '{{ column }}' as column_name,
            {{ column }} as column_value,
            'is NULL or blank - every case needs one' as what
        from cases
        where {{ column }} is null or trim({{ column }}) = ''
    {%- endfor %}

),

intakes as (

    select
        cases.source_file,
        cases.source_row,
        'intake_ts' as column_name,
        strftime(timezone('UTC', cases.intake_ts), '%Y-%m-%d %H:%M:%S') || '+00' as column_value,
        case
            when cases.intake_ts is null then 'is NULL (NaT): a case cannot be measured without its intake instant'
            when cases.intake_ts < {{ earliest }}
                then
                    'is before earliest_plausible_ts ({{ var("earliest_plausible_ts") }})'
            when
                cast({{ ops_sla.instant_to_local('cases.intake_ts') }} as date)
                not between calendar.first_date and calendar.last_date
                then
                    'is outside calendar_dim ('
                    || coalesce(cast(calendar.first_date as varchar), '(no dates)')
                    || '..'
                    || coalesce(cast(calendar.last_date as varchar), '') || ') - extend calendar_dim'
            when cases.intake_ts >= {{ ops_sla.after_file_date('cases.intake_date') }} then
                'is after the day following the file''s intake_date (' || cast(cases.intake_date as varchar) || ')'
        end as what
    from cases
    cross join calendar

),

final as (

    select
        source_file,
        source_row,
        column_name,
        column_value,
        source_file || ' row ' || source_row || ': column ' || column_name || ' '
        || what || coalesce(' (value: ' || column_value || ')', '')
        || ' - fix the case in the export and re-deliver the file' as problem
    from blank_values
    union all
    select
        source_file,
        source_row,
        column_name,
        column_value,
        source_file || ' row ' || source_row || ': column intake_ts ' || what
        || coalesce(' (value: ' || column_value || ')', '')
        || ' - fix the case in the export and re-deliver the file' as problem
    from intakes
    where what is not null

)

select * from final
