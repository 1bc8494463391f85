-- Every performance gap (GAP "Identifying gaps"; catalogue §8): one row per KPI × grain ×
-- entity × closed period that is below target (yellow or red), at the company and department
-- entities, with the gap size (§8.4-8.5), trend and streaks (declining even while within target
-- shows as AK4 in mart_alerts), the first period of the current unbroken off-target run, the
-- escalation level the breach alert reached (team 0-24 h, management 24-72 h, executive 72 h+;
-- S7 §15.1 via int_alerts__escalated, AK1 red / AK2 yellow / AK3 persistent, the highest), and
-- the root cause the data points to where it can tell (int_gaps__root_causes: for the company
-- row and the owning department's row; null otherwise).
-- value is the KPI value; judged_value is what RAG and gap use (annualised for annual-target
-- KPIs, §10.15). Open (partial) and provisional periods are not gaps yet.
with observations as (
    select
        *,
        -- the current off-target run: a new run starts after every closed period that is not
        -- yellow or red
        sum(case when status in ('yellow', 'red') then 0 else 1 end) over (
            partition by kpi_id, grain, entity_type, entity_id order by period_start
            rows between unbounded preceding and current row
        ) as off_target_run
    from {{ ref('fct_kpi_observations') }}
    where entity_type in ('company', 'department')
      and not is_partial
),

gaps as (
    select
        *,
        min(period_start) over (
            partition by kpi_id, grain, entity_type, entity_id, off_target_run
        ) as first_period_seen
    from observations
    where status in ('yellow', 'red')
),

escalation as (
    select
        g.kpi_id,
        g.grain,
        g.entity_type,
        g.entity_id,
        g.period_start,
        max(a.escalation_level) as escalation_level,
        -- the alert of the period's own status (AK1 red / AK2 yellow) for drill-down
        max(a.alert_id) filter (
            where a.rule_id = case g.status when 'red' then 'AK1' else 'AK2' end
        ) as alert_id
    from gaps as g
    inner join {{ ref('int_alerts__escalated') }} as a
        on a.rule_id in ('AK1', 'AK2', 'AK3')
        and a.kpi_id = g.kpi_id
        and a.grain = g.grain
        and a.entity_type = g.entity_type
        and a.entity_id = g.entity_id
        and g.period_start between a.period_start and a.last_period_start
    group by g.kpi_id, g.grain, g.entity_type, g.entity_id, g.period_start
)

select
    -- keys
    g.kpi_id,
    g.kpi_name,
    g.perspective,
    g.level,
    case when g.entity_type = 'department' then g.entity_id else g.department end
        as department_id,
    g.entity_type,
    g.entity_id,
    g.grain,
    g.period_start,
    g.period_end,
    -- value against target
    g.value,
    g.rag_value as judged_value,
    g.unit,
    g.direction,
    g.target_operator,
    g.target_value as target,
    g.target_low,
    g.target_high,
    g.red_flag_operator,
    g.red_flag_value as red_flag,
    g.red_flag_low,
    g.red_flag_high,
    g.status,
    g.gap,
    g.gap_pct,
    g.gap_to_red,
    -- trend and streaks (§8)
    g.trend,
    g.change,
    g.off_target_streak,
    g.worsening_streak,
    g.first_period_seen,
    -- escalation and root cause
    cast(coalesce(e.escalation_level, 'L1') as varchar) as escalation_level,
    e.alert_id,
    r.root_cause_category,
    r.root_cause_evidence,
    -- data behind the number
    g.quality_status,
    g.reason_code,
    g.as_of
from gaps as g
left join escalation as e
    on g.kpi_id = e.kpi_id
    and g.grain = e.grain
    and g.entity_type = e.entity_type
    and g.entity_id = e.entity_id
    and g.period_start = e.period_start
left join {{ ref('int_gaps__root_causes') }} as r
    on g.kpi_id = r.kpi_id
    and g.grain = r.grain
    and g.period_start = r.period_start
    and (g.entity_type = 'company' or g.entity_id = g.department)
