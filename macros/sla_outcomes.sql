{#- The one definition of SLA outcome counts and rates over case_sla rows, shared by the
    marts that group cases (by day, by tier x case type) so their denominators can't drift:
    SLA A rates count resolved cases; SLA B rates count cases with a known SLA B outcome. -#}

{#- Aggregate columns: use inside a GROUP BY over case_sla. -#}
{% macro sla_outcome_counts() -%}
        count(*) filter (where case_status = 'resolved') as resolved_cases,
        count(*) filter (where case_status = 'open') as open_cases,
        count(*) filter (where case_status = 'cancelled') as cancelled_cases,
        count(sla_b_breached) as sla_b_scored_cases,
        count(*) filter (where sla_b_breached) as sla_b_breached_cases,
        count(*) filter (where case_status = 'resolved' and sla_a_breached_including_wait)
            as sla_a_breached_cases_including_wait,
        count(*) filter (where case_status = 'resolved' and sla_a_breached_paused_wait)
            as sla_a_breached_cases_paused_wait,
        count(*) filter (where case_status = 'open' and sla_a_breached_including_wait)
            as open_cases_past_sla_a_target
{%- endmacro %}

{#- Count and rate columns: use in the select over the counts of sla_outcome_counts(). -#}
{% macro sla_outcome_rates() -%}
        resolved_cases,
        open_cases,
        cancelled_cases,
        sla_b_scored_cases,
        sla_b_breached_cases,
        sla_b_breached_cases / nullif(sla_b_scored_cases, 0) as sla_b_breach_rate,
        sla_a_breached_cases_including_wait,
        sla_a_breached_cases_including_wait / nullif(resolved_cases, 0) as sla_a_breach_rate_including_wait,
        sla_a_breached_cases_paused_wait,
        sla_a_breached_cases_paused_wait / nullif(resolved_cases, 0) as sla_a_breach_rate_paused_wait,
        open_cases_past_sla_a_target,
        (sla_a_breached_cases_including_wait + open_cases_past_sla_a_target)
        / nullif(resolved_cases + open_cases_past_sla_a_target, 0) as sla_a_known_breach_rate_including_wait
{%- endmacro %}
