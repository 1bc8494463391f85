-- The balanced scorecard per month: every KPI of the catalogue with its company value and
-- status. A KPI with no observation for the month is no_data, never silently absent.
with months as (
    select distinct period_start, period_end, is_partial
    from {{ ref('int_kpi_periods') }}
    where grain = 'month'
      and period_start >= (
          select min(period_start) from {{ ref('fct_kpi_observations') }} where grain = 'month'
      )
),

kpis as (
    select * from {{ ref('int_kpi_targets') }}
),

observations as (
    select * from {{ ref('fct_kpi_observations') }}
    where grain = 'month' and entity_type = 'company'
)

select
    m.period_start,
    m.period_end,
    m.is_partial,
    k.perspective,
    k.level,
    k.kpi_id,
    k.kpi_name,
    k.unit,
    k.direction,
    o.value,
    k.target_operator,
    k.target_value,
    k.target_low,
    k.target_high,
    k.red_flag_operator,
    k.red_flag_value,
    coalesce(o.status, 'no_data') as status,
    case when o.kpi_id is null then 'not_computed' end as reason_code,
    o.gap,
    o.gap_pct,
    o.previous_value
from months as m
cross join kpis as k
left join observations as o
    on o.kpi_id = k.kpi_id and o.period_start = m.period_start
