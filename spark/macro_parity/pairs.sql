{#- business-time macro parity probe: the same query on both engines, over pairs written once to parquet -#}
{%- set pairs_path = env_var('PARITY_PAIRS') -%}
with pairs as (
    select * from {% if target.type == 'spark' %}parquet.`{{ pairs_path }}`{% else %}read_parquet('{{ pairs_path }}'){% endif %}
),
owned as (
    select pairs.*, o.segments
    from pairs inner join {{ ref('int_case_ownership') }} as o on pairs.case_id = o.case_id
),
ordinals as (
    select owned.*, {{ ops_sla.case_business_ordinal_us('a', 'segments') }} as a_ordinal_us
    from owned
)
select
    pair_id,
    {{ ops_sla.business_ordinal_us('a') }} as a_default_ordinal_us,
    {{ ops_sla.business_minutes_between('a', 'b') }} as default_minutes,
    {{ ops_sla.business_minutes_add('a', 'mins') }} as default_added_at,
    a_ordinal_us,
    {{ ops_sla.case_business_minutes_between('a', 'b', 'segments') }} as case_minutes,
    {{ ops_sla.case_instant_at_ordinal('a_ordinal_us + ' ~ ops_sla.minutes_to_us('mins'), 'segments') }} as case_added_at,
    {{ ops_sla.instant_to_local('a') }} as a_local,
    {{ ops_sla.local_to_instant('local_wall', 'zone') }} as wall_instant,
    {{ ops_sla.instant_to_local('a', 'zone') }} as a_local_in_zone
from ordinals
