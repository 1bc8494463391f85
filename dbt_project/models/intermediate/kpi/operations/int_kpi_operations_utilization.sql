-- utilization_rate (catalogue §2.3; GAP resource utilization): Σ productive (billable) hours /
-- Σ hours_worked ×100 over time entries by work date, grains m/w/q/y, for the company, each
-- department the hours are booked to, and each employee (agg R). An entry that does not report
-- productive hours is left out of both sides.
with employee_days as (
    select * from {{ ref('int_operations__employee_days') }}
),

periods as (
    select grain, period_start, period_end, is_partial
    from {{ ref('int_kpi_periods') }}
    where grain in ('week', 'month', 'quarter', 'year')
),

utilization_entities as (
    select 'employee' as entity_type, employee_id as entity_id, d.* from employee_days as d
    union all
    select 'department', department, d.* from employee_days as d where department is not null
    union all
    select 'company', 'all', d.* from employee_days as d
),

utilization as (
    select
        'utilization_rate' as kpi_id,
        p.grain,
        e.entity_type,
        e.entity_id,
        p.period_start,
        p.period_end,
        p.is_partial,
        sum(e.productive_hours) as numerator,
        sum(e.productive_base_hours) as denominator,
        count(*) filter (where e.productive_base_hours is not null) as sample_size
    from periods as p
    inner join utilization_entities as e
        on e.work_date >= p.period_start and e.work_date < p.period_end
    group by all
)

select
    kpi_id, grain, entity_type, entity_id, period_start, period_end,
    numerator,
    denominator,
    case when denominator > 0 then 100.0 * numerator / denominator end as value,
    sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from utilization
