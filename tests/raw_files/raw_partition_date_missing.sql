-- cases and events_log partition dates missing between the first and the last (a lost or
-- failed delivery), unless listed in var partition_dates_allowed_missing: one row per run of
-- missing dates, with what to do.

{{ config(store_failures=true, tags=['raw_files']) }}

with

inventory as (

    select * from {{ ref('raw_file_inventory') }}

),

partitions as (

    select distinct
        raw_table,
        partition_date
    from inventory
    where is_read and partition_date is not null

),

bounds as (

    select
        raw_table,
        min(partition_date) as first_date,
        max(partition_date) as last_date
    from partitions
    group by raw_table

),

missing as (

    select
        bounds.raw_table,
        cast(unnest(generate_series(bounds.first_date, bounds.last_date, interval 1 day)) as date) as missing_date
    from bounds
    except
    select
        raw_table,
        partition_date
    from partitions

),

unexpected as (

    select
        raw_table,
        missing_date,
        missing_date - cast(row_number() over (partition by raw_table order by missing_date) as integer) as run_id
    from missing
    where cast(missing_date as varchar) not in (
        ''{%- for d in var('partition_dates_allowed_missing', []) %}, {{ ops_sla.sql_literal(d | string) }}{%- endfor %}
    )

),

runs as (

    select
        raw_table,
        min(missing_date) as gap_from,
        max(missing_date) as gap_to,
        count(*) as missing_days
    from unexpected
    group by raw_table, run_id

),

final as (

    select
        runs.raw_table,
        runs.gap_from,
        runs.gap_to,
        runs.raw_table || ': no partition folder for '
        || case
            when runs.missing_days = 1 then cast(runs.gap_from as varchar)
            else
                cast(runs.gap_from as varchar) || '..' || cast(runs.gap_to as varchar)
                || ' (' || runs.missing_days || ' days)'
        end
        || ' between the first (' || cast(bounds.first_date as varchar) || ') and the last ('
        || cast(bounds.last_date as varchar) || ') partition - deliver the missing files; if a day really '
        || 'had no data, deliver an empty parquet file for it (zero rows, the same columns) or list the date '
        || 'in var partition_dates_allowed_missing' as problem
    from runs
    inner join bounds
        on runs.raw_table = bounds.raw_table

)

select * from final
