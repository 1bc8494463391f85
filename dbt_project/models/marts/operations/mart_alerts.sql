-- Every alert of catalogue §7.1 the data supports, one row per alert (dedup: one open alert per
-- rule, kpi, entity and grain), with its escalation level at as_of (int_alerts__escalated):
--   AK1-AK4 KPI red / yellow / persistent / declining-while-green at the KPI's primary grain,
--   AK5     strategic KPI without data at its publication deadline,
--   AC1-AC6 client health < 60, client silent 48 h+, low satisfaction response, critical
--           blocker, milestone 3+ days late, onboarding aging,
--   AS1-AS5 system failure, security incident, compliance, client escalation (complaints),
--           financial anomaly,
--   AT1-AT3 dialer intervention triggers,
--   AD1     a data-quality expectation failed (mart_data_quality_results; L1 only: the L2 case,
--           a failure affecting a strategic KPI at month close, is not raised yet).
-- The alert sink sends each alert_id once (alert_id is stable across re-runs); title and
-- detail carry ids and numbers only, never names or contact details.
select
    -- keys
    alert_id,
    rule_id,
    variant,
    kpi_id,
    entity_type,
    entity_id,
    department_id,
    grain,
    period_start,
    last_period_start,
    -- life cycle
    opened_at,
    closed_at,
    condition_cleared_at,
    cast(status as varchar) as status,
    is_reopened,
    handled_at,
    unhandled_hours,
    matching_actions,
    -- routing
    severity,
    start_level,
    escalation_level,
    audience,
    delivery,
    breach_class,
    -- message
    cast(
        '[' || escalation_level || '] ' || rule_id || ' ' || breach_class || ': '
        || coalesce(kpi_id, variant) || ' · ' || entity_type
        || case when entity_id = 'all' then '' else ' ' || entity_id end
        || coalesce(' · ' || grain || ' ' || cast(period_start as varchar), '')
        as varchar
    ) as title,
    cast(detail as varchar) as detail,
    observed,
    threshold,
    breaches,
    {{ as_of() }} as as_of
from {{ ref('int_alerts__escalated') }}
where is_published
