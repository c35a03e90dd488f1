-- Cases the SLA clocks cannot measure: every raw case must reach case_sla (cases have no
-- quarantine), so each of these stops the build. One row per case row and problem, naming
-- the file, the row, the column and the value: a NULL or blank case_id, tier, case_type or
-- team_tz; an intake_ts that is NULL, before var earliest_plausible_ts, outside calendar_dim
-- (as delivered now: loaded cases are checked again), or far from its folder's intake_date:
-- after the day following it (it would become the as-of instant) or before the day
-- preceding it (a case filed under another day: a late delivery filed under the day it was
-- sent, or a wrong stamp), unless the case was delivered before under an earlier date (a
-- re-delivery: the copies are counted in case_sla.delivered_copies). Those two name the case,
-- its local date (var business_time_zone) and the folder's date too. The tolerance of a day
-- each way is the events' (DECISIONLOG "Event cleaning", rule 8).

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

folder_dates as (

    select distinct intake_date from cases

),

-- the intakes a folder's date accepts, once per date (not per row): from local midnight
-- starting the day before it to local midnight after the day following it
folder_bounds as (

    select
        intake_date,
        {{ ops_sla.before_file_date('intake_date') }} as too_early_before,
        {{ ops_sla.after_file_date('intake_date') }} as too_late_from
    from folder_dates

),

-- intakes before the day preceding their folder's date, and of those the re-delivered cases
-- (a copy filed under an earlier date)
early_intakes as (

    select
        cases.source_file,
        cases.source_row,
        trim(cases.case_id) as case_id,
        cases.intake_date
    from cases
    inner join folder_bounds
        on cases.intake_date = folder_bounds.intake_date
    where cases.intake_ts < folder_bounds.too_early_before

),

redelivered as (

    select distinct
        early_intakes.source_file,
        early_intakes.source_row
    from early_intakes
    inner join cases as earlier
        on
            early_intakes.case_id = trim(earlier.case_id)
            and early_intakes.intake_date > earlier.intake_date

),

intakes as (

    select
        cases.source_file,
        cases.source_row,
        coalesce(trim(cases.case_id), 'NULL') as case_id,
        cases.intake_date,
        strftime(timezone('UTC', cases.intake_ts), '%Y-%m-%d %H:%M:%S') || '+00' as column_value,
        cast({{ ops_sla.instant_to_local('cases.intake_ts') }} as date) as intake_local_date,
        calendar.first_date,
        calendar.last_date,
        case
            when cases.intake_ts is null then 'null'
            when cases.intake_ts < {{ earliest }} then 'implausible'
            when
                cast({{ ops_sla.instant_to_local('cases.intake_ts') }} as date)
                not between calendar.first_date and calendar.last_date
                then 'outside_calendar'
            when cases.intake_ts >= folder_bounds.too_late_from then 'after_folder_date'
            when cases.intake_ts < folder_bounds.too_early_before and redelivered.source_row is null
                then 'before_folder_date'
        end as reason
    from cases
    cross join calendar
    left join folder_bounds
        on cases.intake_date = folder_bounds.intake_date
    left join redelivered
        on
            cases.source_file = redelivered.source_file
            and cases.source_row = redelivered.source_row

),

bad_intakes as (

    select
        source_file,
        source_row,
        column_value,
        case reason
            when 'null' then 'is NULL (NaT): a case cannot be measured without its intake instant'
            when 'implausible' then 'is before earliest_plausible_ts ({{ var("earliest_plausible_ts") }})'
            when 'outside_calendar'
                then
                    'is outside calendar_dim (' || coalesce(cast(first_date as varchar), '(no dates)') || '..'
                    || coalesce(cast(last_date as varchar), '') || ') - extend calendar_dim'
            when 'after_folder_date'
                then 'is after the day following the file''s intake_date (' || cast(intake_date as varchar) || ')'
            else 'is before the day preceding the file''s intake_date (' || cast(intake_date as varchar) || ')'
        end as what,
        -- an intake far from its folder's date: the case, both dates and the fix
        case
            when reason in ('after_folder_date', 'before_folder_date')
                then
                    ': case ' || case_id || ' opened on ' || cast(intake_local_date as varchar)
                    || ' ({{ var("business_time_zone") }}), ' || abs(intake_local_date - intake_date) || ' days '
                    || case when reason = 'after_folder_date' then 'after' else 'before' end
                    || ' its folder''s date ' || cast(intake_date as varchar)
                    || ' - file the case under cases/intake_date=' || cast(intake_local_date as varchar)
                    || '/ (in a new file), or fix its intake_ts, and re-deliver it'
            else ' - fix the case in the export and re-deliver the file'
        end as detail
    from intakes
    where reason is not null

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
        'intake_ts' as column_name,
        column_value,
        source_file || ' row ' || source_row || ': column intake_ts ' || what
        || coalesce(' (value: ' || column_value || ')', '') || detail as problem
    from bad_intakes

)

select * from final
