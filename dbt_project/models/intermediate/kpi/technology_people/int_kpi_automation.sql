-- automation_rate and automation_utilization (catalogue §2.3, §3 "automation (×3)"), company
-- grain, d/w/m/q/y, automation_runs by run_at (business-time date). Agg R.
-- - automation_rate: executions automated and succeeded / all touchpoint executions. One row
--   per execution, so a failed automated attempt a person then completed counts once, as not
--   automated-and-succeeded.
-- - automation_utilization: automated executions / executions, restricted to the touchpoints of
--   seed automation_enabled_touchpoints; success is not required.
-- A null automated or succeeded flag takes the execution out of the KPI that reads it (§1.2).
with runs as (
    select
        cast({{ utc_to_local('r.run_at') }} as date) as run_date,
        r.is_automated,
        r.is_succeeded,
        e.touchpoint is not null as is_automation_enabled
    from {{ ref('stg_automation__runs') }} as r
    left join {{ ref('automation_enabled_touchpoints') }} as e on r.touchpoint = e.touchpoint
    where r.run_at is not null
      and r.run_at <= {{ as_of() }}
),

daily as (
    select
        run_date,
        count(*) filter (where is_automated and is_succeeded) as automated_succeeded,
        count(*) filter (where is_automated is not null and is_succeeded is not null)
            as executions,
        count(*) filter (where is_automation_enabled and is_automated) as enabled_automated,
        count(*) filter (where is_automation_enabled and is_automated is not null)
            as enabled_executions
    from runs
    group by run_date
),

coverage as (
    select min(delivered_on) as first_delivery from {{ ref('stg_automation__runs') }}
),

periods as (
    select p.grain, p.period_start, p.period_end, p.is_partial
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    where p.grain in ('day', 'week', 'month', 'quarter', 'year')
      and p.period_end > c.first_delivery
),

by_period as (
    select
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial,
        coalesce(sum(d.automated_succeeded), 0) as automated_succeeded,
        coalesce(sum(d.executions), 0) as executions,
        coalesce(sum(d.enabled_automated), 0) as enabled_automated,
        coalesce(sum(d.enabled_executions), 0) as enabled_executions
    from periods as p
    left join daily as d
        on d.run_date >= p.period_start and d.run_date < p.period_end
    group by p.grain, p.period_start, p.period_end, p.is_partial
),

components as (
    select
        'automation_rate' as kpi_id, grain, period_start, period_end, is_partial,
        automated_succeeded as numerator, executions as denominator
    from by_period
    union all
    select
        'automation_utilization', grain, period_start, period_end, is_partial,
        enabled_automated, enabled_executions
    from by_period
)

select
    kpi_id,
    grain,
    'company' as entity_type,
    'all' as entity_id,
    period_start,
    period_end,
    numerator,
    denominator,
    case when denominator > 0 then 100.0 * numerator / denominator end as value,
    denominator as sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from components
