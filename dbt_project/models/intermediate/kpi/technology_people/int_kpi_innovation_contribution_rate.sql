-- innovation_contribution_rate (catalogue §2.4, §9 innovation_submissions), q/y, company and
-- department grain. Agg X (distinct employees, recomputed at every grain): employees with ≥ 1
-- innovation submission by submitted_at (business-time date) in P / employees employed at any
-- time in P (hire_date <= last day, termination_date null or >= first day; in the open period
-- the last day is the as_of date) × 100. Only submitters who are in that population count.
-- An employee counts in the department of the master record.
with employees as (
    select
        employee_id,
        department,
        hire_date,
        coalesce(termination_date, cast('9999-12-31' as date)) as employed_to
    from {{ ref('stg_hr__employees') }}
    where hire_date is not null
),

submissions as (
    select distinct
        employee_id,
        cast({{ utc_to_local('submitted_at') }} as date) as submitted_date
    from {{ ref('stg_hr__innovation_submissions') }}
    where submitted_at is not null
      and submitted_at <= {{ as_of() }}
),

coverage as (
    select min(delivered_on) as first_delivery from {{ ref('stg_hr__innovation_submissions') }}
),

periods as (
    select
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial,
        least(
            cast({{ dbt.dateadd('day', -1, 'p.period_end') }} as date),
            cast({{ utc_to_local(as_of()) }} as date)
        ) as last_day
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    where p.grain in ('quarter', 'year')
      and p.period_end > c.first_delivery
),

population as (
    select
        p.grain,
        p.period_start,
        e.employee_id,
        e.department,
        exists (
            select 1 from submissions as s
            where s.employee_id = e.employee_id
              and s.submitted_date >= p.period_start
              and s.submitted_date <= p.last_day
        ) as has_submitted
    from periods as p
    inner join employees as e
        on e.hire_date <= p.last_day and e.employed_to >= p.period_start
),

entities as (
    select grain, period_start, has_submitted, 'company' as entity_type, 'all' as entity_id
    from population
    union all
    select grain, period_start, has_submitted, 'department', department from population
    where department is not null
),

by_period as (
    select
        grain,
        period_start,
        entity_type,
        entity_id,
        count(*) filter (where has_submitted) as contributors,
        count(*) as employees
    from entities
    group by grain, period_start, entity_type, entity_id
),

{{ people_kpi_contract('innovation_contribution_rate', 'b.contributors', 'b.employees', 100.0) }}
