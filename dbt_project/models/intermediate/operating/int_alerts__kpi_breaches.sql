-- KPI-breach episodes (catalogue §7.1 AK1-AK4, dedup and closing rules), for every KPI series
-- (kpi × grain × entity) at the company and department entities and at every entity of the
-- KPI's primary grain (first time grain and first entity grain listed, §0). An episode is one
-- alert: it opens at the end of the first closed period that breaches the rule and stays open
-- while later closed periods keep breaching (a repeat breach updates the open alert, §7.1
-- dedup); it closes at the end of the first closed period that no longer does:
--   AK1  red. A strategic KPI's AK1 closes only on green (a yellow keeps it open).
--   AK2  yellow. A strategic KPI's AK2 closes only on green.
--   AK3  yellow or red in >= the rule's threshold (alert_rules) consecutive closed periods
--        (fct off_target_streak); closes on green.
--   AK4  trend declining (§8) while green; closes when either stops.
-- Only closed, judged periods (green/yellow/red) take part: a no_data, provisional or no_target
-- period neither extends nor closes an episode (AK5 covers missing strategic data).
-- Levels are applied later (int_alerts__escalation); here start_status (the status of the
-- opening period) decides AK3's base level.
{{ config(materialized='table') }}

with observations as (
    select
        o.kpi_id,
        o.grain,
        o.entity_type,
        o.entity_id,
        o.period_start,
        o.period_end,
        o.level,
        o.department as kpi_department,
        o.status,
        o.trend,
        o.rag_value,
        o.target_value,
        o.target_low,
        o.target_high,
        o.red_flag_value,
        o.off_target_streak,
        split_part(d.time_grains, ',', 1) = p.grain_code
            and split_part(d.entity_grains, ',', 1) = case o.entity_type
                when 'company' then 'co' when 'department' then 'dept' when 'employee' then 'emp'
                else o.entity_type end as is_primary_grain,
        p.period_end_utc
    from {{ ref('fct_kpi_observations') }} as o
    inner join {{ ref('kpi_definitions') }} as d on o.kpi_id = d.kpi_id
    inner join {{ ref('int_kpi_periods') }} as p
        on o.grain = p.grain and o.period_start = p.period_start
    where not o.is_partial
      and o.status in ('green', 'yellow', 'red')
),

scoped as (
    select * from observations
    where entity_type in ('company', 'department') or is_primary_grain
),

persistent as (
    select cast(threshold as integer) as periods
    from {{ ref('alert_rules') }}
    where rule_id = 'AK3'
),

-- Each rule's start and continue condition per period (start implies continue).
conditions as (
    select
        s.*,
        r.rule_id,
        case r.rule_id
            when 'AK1' then s.status = 'red'
            when 'AK2' then s.status = 'yellow'
            when 'AK3' then s.status in ('yellow', 'red') and s.off_target_streak >= p.periods
            else s.status = 'green' and s.trend = 'declining'
        end as is_start,
        case r.rule_id
            when 'AK1' then s.status = 'red' or (s.level = 'strategic' and s.status = 'yellow')
            when 'AK2' then s.status = 'yellow' or (s.level = 'strategic' and s.status = 'red')
            when 'AK3' then s.status in ('yellow', 'red')
            else s.status = 'green' and s.trend = 'declining'
        end as is_continue
    from scoped as s
    cross join (values ('AK1'), ('AK2'), ('AK3'), ('AK4')) as r (rule_id)
    cross join persistent as p
),

-- Islands of consecutive continuing periods; an episode starts at the island's first start.
islands as (
    select
        *,
        sum(case when is_continue then 0 else 1 end) over (
            partition by rule_id, kpi_id, grain, entity_type, entity_id order by period_start
            rows between unbounded preceding and current row
        ) as island,
        lead(period_end_utc) over (
            partition by rule_id, kpi_id, grain, entity_type, entity_id order by period_start
        ) as next_period_end_utc
    from conditions
),

started as (
    select
        *,
        min(case when is_start then period_start end) over (
            partition by rule_id, kpi_id, grain, entity_type, entity_id, island
        ) as episode_start
    from islands
    where is_continue
),

episodes as (
    select
        rule_id,
        kpi_id,
        grain,
        entity_type,
        entity_id,
        episode_start as first_period_start,
        max(period_start) as last_period_start,
        count(*) as periods_in_breach,
        any_value(level) as level,
        any_value(kpi_department) as kpi_department,
        any_value(is_primary_grain) as is_primary_grain,
        min(period_end_utc) as opened_at,
        arg_max(next_period_end_utc, period_start) as closed_at,
        arg_min(status, period_start) as start_status,
        arg_max(status, period_start) as latest_status,
        arg_max(rag_value, period_start) as observed,
        arg_max(
            case rule_id when 'AK1' then red_flag_value else target_value end, period_start
        ) as threshold
    from started
    where episode_start is not null
      and period_start >= episode_start
    group by rule_id, kpi_id, grain, entity_type, entity_id, episode_start
),

labelled as (
    select
        *,
        case
            when level = 'tactical' or entity_type in ('employee', 'agent', 'client')
                then 'tactical'
            else level
        end as level_variant
    from episodes
)

select
    -- stable across re-runs: the rule, the series and the period that opened the alert
    {{ dbt.hash(dbt.concat(["rule_id", "'|'", "kpi_id", "'|'", "entity_type", "'|'", "entity_id", "'|'", "grain", "'|'", "cast(first_period_start as varchar)"])) }}
        as alert_id,
    rule_id,
    case rule_id
        when 'AK3' then 'persistent'
        when 'AK4' then 'declining'
        else level_variant
    end as variant,
    level_variant,
    kpi_id,
    grain,
    entity_type,
    entity_id,
    case when entity_type = 'department' then entity_id else kpi_department end
        as department_id,
    level as kpi_level,
    is_primary_grain,
    first_period_start,
    last_period_start,
    cast(periods_in_breach as integer) as periods_in_breach,
    opened_at,
    closed_at,
    start_status,
    latest_status,
    cast(observed as double) as observed,
    cast(threshold as double) as threshold
from labelled
