-- One row: the instant the data describes. Open cases in case_sla are measured up to it;
-- show it next to any open-case figure.

with

as_of as (

    select * from {{ ref('int_data_as_of') }}

),

final as (

    select
        {{ ops_sla.instant_to_local('as_of_at') }} as as_of_ts_local,
        cast({{ ops_sla.instant_to_local('as_of_at') }} as date) as as_of_date_local,
        '{{ var("business_time_zone") }}' as time_zone

    from as_of

)

select * from final
