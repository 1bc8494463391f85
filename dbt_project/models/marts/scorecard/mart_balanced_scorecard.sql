-- The balanced scorecard per month, quarter and year: every KPI of the catalogue defined at that
-- grain, with its company value, the target in force and its status. A KPI with no observation
-- is no_data (reason not_computed), never silently absent.
with periods as (
    select grain, grain_code, period_start, period_end, is_partial
    from {{ ref('int_kpi_periods') }}
    where grain in ('month', 'quarter', 'year')
      and period_start >= (select min(period_start) from {{ ref('fct_kpi_observations') }})
),

kpis as (
    select * from {{ ref('dim_kpi') }}
),

targets as (
    select * from {{ ref('int_kpi_targets') }}
),

observations as (
    select * from {{ ref('fct_kpi_observations') }}
    where entity_type = 'company'
)

select
    p.grain,
    p.period_start,
    p.period_end,
    p.is_partial,
    k.perspective,
    k.level,
    k.department,
    k.kpi_id,
    k.kpi_name,
    k.unit,
    k.direction,
    o.value,
    o.rag_value,
    t.target_operator,
    coalesce(o.target_value, t.target_value) as target_value,
    t.target_low,
    t.target_high,
    t.red_flag_operator,
    coalesce(o.red_flag_value, t.red_flag_value) as red_flag_value,
    coalesce(o.status, 'no_data') as status,
    case when o.kpi_id is null then 'not_computed' else o.reason_code end as reason_code,
    o.gap,
    o.gap_pct,
    o.previous_value,
    o.trend,
    o.worsening_streak,
    o.quality_status
from periods as p
inner join kpis as k
    on list_contains(string_split(k.time_grains, ','), p.grain_code)
inner join targets as t
    on t.kpi_id = k.kpi_id
    and {{ dbt.dateadd('day', -1, 'p.period_end') }} >= t.valid_from
    and (t.valid_to is null or {{ dbt.dateadd('day', -1, 'p.period_end') }} < t.valid_to)
left join observations as o
    on o.kpi_id = k.kpi_id and o.grain = p.grain and o.period_start = p.period_start
