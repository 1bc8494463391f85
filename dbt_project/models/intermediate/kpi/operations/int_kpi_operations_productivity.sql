-- Per-employee daily productivity (catalogue §2.3), agg R over emp-days (§1.3), by the local
-- work date, at grains d/w/m:
--   cases_per_employee_per_day       Σ cases_handled / emp-days, employees in case_roles
--                                    (emp, dept, co)
--   disputes_per_specialist_per_day  disputes by date(opened_at) per specialist / specialist
--                                    emp-days, dispute_specialist_roles (emp, co); disputes on a
--                                    day without a time entry still count (DQ flags them)
--   client_calls_per_rep_per_day     connected calls (duration_s > 0) by date(started_at) of
--                                    client_rep_roles agents / rep emp-days (emp, dept, co);
--                                    dialer sales agents are not in the role set
-- The department of an employee-day is the employee's department (stg_hr__employees).
with role_sets as (
    select role_set, role from {{ ref('role_sets') }}
),

employees as (
    select e.employee_id, e.department, r.role_set
    from {{ ref('stg_hr__employees') }} as e
    inner join role_sets as r on e.role = r.role
    where r.role_set in ('case_roles', 'dispute_specialist_roles', 'client_rep_roles')
),

employee_days as (
    select * from {{ ref('int_operations__employee_days') }}
    where is_emp_day
),

-- One row per KPI, employee and day: numerator and emp-day count.
cases as (
    select
        'cases_per_employee_per_day' as kpi_id,
        d.employee_id,
        d.work_date,
        d.cases_handled as num,
        1 as den
    from employee_days as d
    inner join employees as e
        on d.employee_id = e.employee_id and e.role_set = 'case_roles'
    where d.has_cases_handled
),

dispute_counts as (
    select
        s.specialist_id as employee_id,
        cast({{ utc_to_local('s.opened_at') }} as date) as work_date,
        count(*) as disputes
    from {{ ref('stg_disputes__disputes') }} as s
    inner join employees as e
        on s.specialist_id = e.employee_id and e.role_set = 'dispute_specialist_roles'
    where s.opened_at is not null
      and s.opened_at <= {{ as_of() }}
    group by all
),

specialist_days as (
    select d.employee_id, d.work_date
    from employee_days as d
    inner join employees as e
        on d.employee_id = e.employee_id and e.role_set = 'dispute_specialist_roles'
),

disputes as (
    select
        'disputes_per_specialist_per_day' as kpi_id,
        coalesce(c.employee_id, s.employee_id) as employee_id,
        coalesce(c.work_date, s.work_date) as work_date,
        coalesce(c.disputes, 0) as num,
        case when s.employee_id is not null then 1 else 0 end as den
    from dispute_counts as c
    full outer join specialist_days as s
        on c.employee_id = s.employee_id and c.work_date = s.work_date
),

call_counts as (
    select
        c.agent_id as employee_id,
        cast({{ utc_to_local('c.started_at') }} as date) as work_date,
        count(*) as calls
    from {{ ref('stg_dialer__calls') }} as c
    inner join employees as e
        on c.agent_id = e.employee_id and e.role_set = 'client_rep_roles'
    where c.duration_s > 0
      and c.started_at <= {{ as_of() }}
    group by all
),

rep_days as (
    select d.employee_id, d.work_date
    from employee_days as d
    inner join employees as e
        on d.employee_id = e.employee_id and e.role_set = 'client_rep_roles'
),

client_calls as (
    select
        'client_calls_per_rep_per_day' as kpi_id,
        coalesce(c.employee_id, r.employee_id) as employee_id,
        coalesce(c.work_date, r.work_date) as work_date,
        coalesce(c.calls, 0) as num,
        case when r.employee_id is not null then 1 else 0 end as den
    from call_counts as c
    full outer join rep_days as r
        on c.employee_id = r.employee_id and c.work_date = r.work_date
),

facts as (
    select f.*, e.department
    from (
        select * from cases
        union all
        select * from disputes
        union all
        select * from client_calls
    ) as f
    left join {{ ref('stg_hr__employees') }} as e on f.employee_id = e.employee_id
),

entities as (
    select 'employee' as entity_type, employee_id as entity_id, f.* from facts as f
    union all
    select 'department', department, f.* from facts as f
    where kpi_id <> 'disputes_per_specialist_per_day' and department is not null
    union all
    select 'company', 'all', f.* from facts as f
),

periods as (
    select grain, period_start, period_end, is_partial
    from {{ ref('int_kpi_periods') }}
    where grain in ('day', 'week', 'month')
),

by_period as (
    select
        e.kpi_id,
        p.grain,
        e.entity_type,
        e.entity_id,
        p.period_start,
        p.period_end,
        p.is_partial,
        sum(e.num) as numerator,
        sum(e.den) as denominator
    from periods as p
    inner join entities as e
        on e.work_date >= p.period_start and e.work_date < p.period_end
    group by all
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
    case when denominator > 0 then 1.0 * numerator / denominator end as value,
    denominator as sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from by_period
