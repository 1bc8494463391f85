-- Every alert before escalation (catalogue §7.1): the KPI-breach episodes (AK1-AK4, already one
-- per open breach), and the real-time, no-data and data-quality events (AK5, AC1-AC6, AS1-AS5,
-- AT1-AT3, AD1)
-- merged so that there is one open alert per (rule_id, kpi_id, entity, grain) (dedup: a repeat
-- breach while an alert is open updates it). Merged events take the earliest opening, the
-- latest clearing (open if any is), the most severe variant and condition level, and the
-- latest event's observation and detail.
-- alert_id is stable across re-runs: a hash of the rule, kpi, entity, grain and the key of the
-- opening period or instant (the day for daily-evaluated conditions, so a re-evaluation of that
-- day does not mint a new id).
-- is_published: AK1-AK4 are alerts at the KPI's primary grain only; the company and department
-- episodes at other grains are kept for mart_performance_gaps' escalation levels.
{% set event_models = [
    'int_alerts__kpi_no_data',
    'int_alerts__client_events',
    'int_alerts__system_events',
    'int_alerts__dialer_events',
    'int_alerts__dq_events',
] %}

{{ config(materialized='table') }}

with rules as (
    select rule_id, variant, start_level from {{ ref('alert_rules') }}
),

events as (
    {% for model in event_models %}
    select
        rule_id, variant, kpi_id, entity_type, entity_id, department_id, grain, period_start,
        opened_key, opened_at, closed_at, condition_level, observed, threshold, detail
    from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

ranked as (
    select
        e.*,
        coalesce(e.closed_at, cast('9999-12-31' as timestamp)) as closed_or_open,
        greatest(
            cast(right(coalesce(r.start_level, 'L1'), 1) as integer),
            cast(right(coalesce(e.condition_level, 'L1'), 1) as integer)
        ) as severity_rank
    from events as e
    left join rules as r on e.rule_id = r.rule_id and e.variant = r.variant
),

-- Islands of overlapping (or touching) events per dedup key.
overlapping as (
    select
        *,
        max(closed_or_open) over (
            partition by rule_id, kpi_id, entity_type, entity_id, grain
            order by opened_at, opened_key
            rows between unbounded preceding and 1 preceding
        ) as open_until
    from ranked
),

grouped as (
    select
        *,
        sum(case when open_until is null or opened_at > open_until then 1 else 0 end) over (
            partition by rule_id, kpi_id, entity_type, entity_id, grain
            order by opened_at, opened_key
            rows between unbounded preceding and current row
        ) as episode
    from overlapping
),

merged as (
    select
        rule_id,
        arg_max(variant, severity_rank * 1e12 + epoch(opened_at)) as variant,
        kpi_id,
        entity_type,
        entity_id,
        any_value(department_id) as department_id,
        grain,
        min(period_start) as period_start,
        arg_min(opened_key, opened_at) as opened_key,
        min(opened_at) as opened_at,
        case when max(closed_or_open) = cast('9999-12-31' as timestamp) then null
            else max(closed_or_open) end as closed_at,
        max(condition_level) as condition_level,
        arg_max(observed, opened_at) as observed,
        arg_max(threshold, opened_at) as threshold,
        arg_max(detail, opened_at)
            || case when count(*) > 1
                then ' (' || cast(count(*) as varchar) || ' breaches in this alert)' else '' end
            as detail,
        cast(count(*) as integer) as breaches
    from grouped
    group by rule_id, kpi_id, entity_type, entity_id, grain, episode
),

kpi_breaches as (
    select
        alert_id,
        rule_id,
        variant,
        level_variant,
        start_status,
        kpi_id,
        entity_type,
        entity_id,
        department_id,
        grain,
        first_period_start as period_start,
        last_period_start,
        opened_at,
        closed_at,
        cast(null as varchar) as condition_level,
        observed,
        threshold,
        latest_status || ' in ' || cast(periods_in_breach as varchar) || ' closed ' || grain
            || ' period(s) from ' || cast(first_period_start as varchar) || ' to '
            || cast(last_period_start as varchar) as detail,
        periods_in_breach as breaches,
        is_primary_grain as is_published
    from {{ ref('int_alerts__kpi_breaches') }}
)

select * from kpi_breaches

union all

select
    {{ dbt.hash(dbt.concat(["rule_id", "'|'", "coalesce(kpi_id, '')", "'|'", "entity_type", "'|'", "entity_id", "'|'", "coalesce(grain, '')", "'|'", "opened_key"])) }}
        as alert_id,
    rule_id,
    variant,
    cast(null as varchar) as level_variant,
    cast(null as varchar) as start_status,
    kpi_id,
    entity_type,
    entity_id,
    department_id,
    grain,
    period_start,
    cast(null as date) as last_period_start,
    opened_at,
    closed_at,
    condition_level,
    observed,
    threshold,
    detail,
    breaches,
    true as is_published
from merged
