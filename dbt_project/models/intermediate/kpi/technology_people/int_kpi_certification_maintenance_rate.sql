-- certification_maintenance_rate (catalogue §2.4, §3, §10.1), m/d/q/y, company, department and
-- employee grain. Agg P: read at t1, the last instant of P (in the open period at as_of): the
-- required certifications of employees employed then that are current / the required
-- certifications of those employees × 100. Non-required certifications do not count.
-- With L the last day of P (the as_of date in the open period):
-- - employed at t1: hire_date <= L <= coalesce(termination_date, ∞);
-- - current at t1: expires_at is null (never expires) or expires_at > L, i.e. the certificate
--   is still valid on its last day (it is valid on the days before its expiry date). The
--   latest snapshot's current flag is only the fallback for a missing expires_at column, which
--   the HR extract always has.
-- The staging model keeps each certification's latest state (renewals update the record in
-- place), so every period reads the latest issue and expiry of each record.
with certifications as (
    select
        c.employee_id,
        e.department,
        e.hire_date,
        coalesce(e.termination_date, cast('9999-12-31' as date)) as employed_to,
        c.expires_at
    from {{ ref('stg_hr__certifications') }} as c
    inner join {{ ref('stg_hr__employees') }} as e on c.employee_id = e.employee_id
    where c.is_required
),

coverage as (
    select min(delivered_on) as first_delivery from {{ ref('stg_hr__certifications') }}
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
    where p.grain in ('day', 'month', 'quarter', 'year')
      and p.period_end > c.first_delivery
),

held as (
    select
        p.grain,
        p.period_start,
        c.employee_id,
        c.department,
        case when c.expires_at is null or c.expires_at > p.last_day then 1 else 0 end
            as is_current
    from periods as p
    inner join certifications as c
        on c.hire_date <= p.last_day and c.employed_to >= p.last_day
),

entities as (
    select grain, period_start, is_current, 'company' as entity_type, 'all' as entity_id
    from held
    union all
    select grain, period_start, is_current, 'department', department from held
    where department is not null
    union all
    select grain, period_start, is_current, 'employee', employee_id from held
),

by_period as (
    select
        grain,
        period_start,
        entity_type,
        entity_id,
        sum(is_current) as current_required,
        count(*) as required
    from entities
    group by grain, period_start, entity_type, entity_id
),

{{ people_kpi_contract('certification_maintenance_rate', 'b.current_required', 'b.required', 100.0) }}
