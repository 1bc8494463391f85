-- employee_retention_rate and employee_turnover_rate (catalogue §2.4, §1.3 hc / avg_hc, §3,
-- §10.13, §10.17), y/m/q (never d/w), company and department grain. Agg X: recomputed from the
-- employee master at every grain. Both store the raw period value; fct annualises it (seed
-- annualisation: retention survival r^(12/months), turnover linear × 12/months).
-- hc(d) = employees with hire_date <= d <= coalesce(termination_date, ∞). For P with first
-- day F and last day L (in the open period L is the as_of date, so nothing after as_of counts):
-- - employee_retention_rate = (hc(L) − hires in P still employed on L) / hc(F) × 100;
-- - employee_turnover_rate = employees with termination_date in P / avg_hc(P) × 100, where
--   avg_hc(P) is the mean of hc over the month-end before F and each month-end in P (in the
--   open period: the month-ends reached, then the as_of date). Voluntary and involuntary
--   separations both count.
-- An employee belongs to the department of the master record. Periods start with the first
-- delivery of the employee master.
with employees as (
    select employee_id, department, hire_date,
        coalesce(termination_date, cast('9999-12-31' as date)) as employed_to,
        termination_date
    from {{ ref('stg_hr__employees') }}
    where hire_date is not null
),

member_of as (
    select *, 'company' as entity_type, 'all' as entity_id from employees
    union all
    select *, 'department', department from employees where department is not null
),

entities as (
    select distinct entity_type, entity_id from member_of
),

as_of_day as (
    select cast({{ utc_to_local(as_of()) }} as date) as as_of_date
),

coverage as (
    select min(delivered_on) as first_delivery from {{ ref('stg_hr__employees') }}
),

periods as (
    select
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial,
        p.period_start as first_day,
        least(cast({{ dbt.dateadd('day', -1, 'p.period_end') }} as date), a.as_of_date) as last_day
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    cross join as_of_day as a
    where p.grain in ('month', 'quarter', 'year')
      and p.period_end > c.first_delivery
),

counts as (
    select
        p.grain,
        p.period_start,
        m.entity_type,
        m.entity_id,
        count(*) filter (where m.hire_date <= p.first_day and m.employed_to >= p.first_day)
            as hc_start,
        count(*) filter (where m.hire_date <= p.last_day and m.employed_to >= p.last_day)
            as hc_end,
        count(*) filter (
            where m.hire_date >= p.first_day and m.hire_date <= p.last_day
              and m.employed_to >= p.last_day
        ) as hires_still_employed,
        count(*) filter (
            where m.termination_date >= p.first_day and m.termination_date <= p.last_day
        ) as terminations
    from periods as p
    cross join member_of as m
    group by p.grain, p.period_start, m.entity_type, m.entity_id
),

-- avg_hc points: the month-end before F, every month-end in P up to the last day, and the last
-- day itself when the period is still open.
points as (
    select grain, period_start, cast({{ dbt.dateadd('day', -1, 'first_day') }} as date) as point
    from periods
    union all
    select p.grain, p.period_start, cast({{ dbt.dateadd('day', -1, 'm.period_end') }} as date)
    from periods as p
    inner join {{ ref('int_kpi_periods') }} as m
        on m.grain = 'month'
        and m.period_start >= p.period_start
        and m.period_end <= p.period_end
        and cast({{ dbt.dateadd('day', -1, 'm.period_end') }} as date) <= p.last_day
    union all
    select grain, period_start, last_day from periods where is_partial
),

point_headcounts as (
    select
        pt.grain,
        pt.period_start,
        pt.point,
        m.entity_type,
        m.entity_id,
        count(*) filter (where m.hire_date <= pt.point and m.employed_to >= pt.point) as hc
    from (select distinct grain, period_start, point from points) as pt
    cross join member_of as m
    group by pt.grain, pt.period_start, pt.point, m.entity_type, m.entity_id
),

average_headcounts as (
    select grain, period_start, entity_type, entity_id, avg(hc) as avg_hc
    from point_headcounts
    group by grain, period_start, entity_type, entity_id
),

components as (
    select
        'employee_retention_rate' as kpi_id,
        p.grain, p.period_start, p.period_end, p.is_partial, e.entity_type, e.entity_id,
        coalesce(c.hc_end, 0) - coalesce(c.hires_still_employed, 0) as numerator,
        coalesce(c.hc_start, 0) as denominator,
        coalesce(c.hc_start, 0) as sample_size
    from periods as p
    cross join entities as e
    left join counts as c
        on p.grain = c.grain and p.period_start = c.period_start
        and e.entity_type = c.entity_type and e.entity_id = c.entity_id

    union all

    select
        'employee_turnover_rate',
        p.grain, p.period_start, p.period_end, p.is_partial, e.entity_type, e.entity_id,
        coalesce(c.terminations, 0),
        a.avg_hc,
        coalesce(c.terminations, 0)
    from periods as p
    cross join entities as e
    left join counts as c
        on p.grain = c.grain and p.period_start = c.period_start
        and e.entity_type = c.entity_type and e.entity_id = c.entity_id
    left join average_headcounts as a
        on p.grain = a.grain and p.period_start = a.period_start
        and e.entity_type = a.entity_type and e.entity_id = a.entity_id
)

select
    kpi_id,
    grain,
    entity_type,
    entity_id,
    period_start,
    period_end,
    numerator,
    denominator,
    case when denominator > 0 then 100.0 * numerator / denominator end as value,
    sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from components
