-- internal_promotion_rate (catalogue §2.4, §3), y/q, company and department grain. Agg R: the
-- share of filled positions filled internally = promotions by promoted_at / (promotions by
-- promoted_at + employees by hire_date) × 100, both dated in business time and up to as_of.
-- A promotion and a hire count in the employee's department (master record). Periods start
-- with the first delivery of the HR employee master (promotions are sparse, so their own first
-- delivery does not mark the start of the HR extracts).
with employees as (
    select employee_id, department, hire_date from {{ ref('stg_hr__employees') }}
),

events as (
    select
        cast({{ utc_to_local('p.promoted_at') }} as date) as event_date,
        e.department,
        1 as promotions,
        0 as hires
    from {{ ref('stg_hr__promotions') }} as p
    left join employees as e on p.employee_id = e.employee_id
    where p.promoted_at is not null
      and p.promoted_at <= {{ as_of() }}
    union all
    select hire_date, department, 0, 1
    from employees
    where hire_date is not null
      and hire_date <= cast({{ utc_to_local(as_of()) }} as date)
),

entities as (
    select event_date, promotions, hires, 'company' as entity_type, 'all' as entity_id
    from events
    union all
    select event_date, promotions, hires, 'department', department from events
    where department is not null
),

coverage as (
    select min(delivered_on) as first_delivery from {{ ref('stg_hr__employees') }}
),

periods as (
    select p.grain, p.period_start, p.period_end, p.is_partial
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    where p.grain in ('quarter', 'year')
      and p.period_end > c.first_delivery
),

by_period as (
    select
        p.grain,
        p.period_start,
        e.entity_type,
        e.entity_id,
        sum(e.promotions) as promotions,
        sum(e.hires) as hires
    from periods as p
    inner join entities as e
        on e.event_date >= p.period_start and e.event_date < p.period_end
    group by p.grain, p.period_start, e.entity_type, e.entity_id
),

{{ people_kpi_contract('internal_promotion_rate', 'b.promotions', '(b.promotions + b.hires)', 100.0) }}
