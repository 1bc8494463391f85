-- Time entries per employee and worked day (catalogue §1.3 emp-day: an (employee_id, date)
-- pair with Σ hours_worked > 0), up to the as-of day, with the employee's role (for the role
-- sets of seed role_sets) and the department the hours are booked to. Inputs of
-- cases_per_employee_per_day, disputes_per_specialist_per_day, client_calls_per_rep_per_day,
-- utilization_rate and revenue_per_hour_worked. A null productive_hours or cases_handled leaves
-- that entry out of the KPI that reads it (both sides of the ratio).
with entries as (
    select *
    from {{ ref('stg_hr__time_entries') }}
    where work_date is not null
      and employee_id is not null
      and hours_worked is not null
      and work_date <= cast({{ utc_to_local(as_of()) }} as date)
),

employees as (
    select employee_id, role, department as employee_department
    from {{ ref('stg_hr__employees') }}
)

select
    t.employee_id,
    t.work_date,
    -- the department the day's hours are booked to (the one with most hours on a split day)
    arg_max(t.department, t.hours_worked) as department,
    any_value(e.employee_department) as employee_department,
    any_value(e.role) as role,
    sum(t.hours_worked) as hours_worked,
    sum(t.hours_worked) > 0 as is_emp_day,
    sum(t.productive_hours) as productive_hours,
    sum(t.hours_worked) filter (where t.productive_hours is not null) as productive_base_hours,
    sum(t.cases_handled) as cases_handled,
    count(t.cases_handled) = count(*) as has_cases_handled
from entries as t
left join employees as e on t.employee_id = e.employee_id
group by t.employee_id, t.work_date
