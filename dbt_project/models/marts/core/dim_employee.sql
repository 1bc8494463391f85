-- One row per employee (leavers included), pseudonymised: the HR surrogate key only, no names,
-- emails or phone numbers (they stay in raw). Department, role, the catalogue role sets the role
-- belongs to (seed role_sets: case_roles, dispute_specialist_roles, client_rep_roles,
-- sales_agent_roles), manager, employment dates, and whether the employee is employed on the
-- as_of day (hc(d) of catalogue §1.3: hire_date <= d <= coalesce(termination_date, ∞)).
with employees as (
    select * from {{ ref('stg_hr__employees') }}
),

role_sets as (
    select role, role_set from {{ ref('role_sets') }}
),

memberships as (
    select
        e.employee_id,
        string_agg(r.role_set, ',' order by r.role_set) as role_sets,
        coalesce(bool_or(r.role_set = 'case_roles'), false) as is_case_role,
        coalesce(bool_or(r.role_set = 'dispute_specialist_roles'), false)
            as is_dispute_specialist_role,
        coalesce(bool_or(r.role_set = 'client_rep_roles'), false) as is_client_rep_role,
        coalesce(bool_or(r.role_set = 'sales_agent_roles'), false) as is_sales_agent_role
    from employees as e
    left join role_sets as r on e.role = r.role
    group by e.employee_id
),

as_of_day as (
    select cast({{ utc_to_local(as_of()) }} as date) as as_of_date
)

select
    cast(e.employee_id as varchar) as employee_id,
    cast(e.department as varchar) as department,
    cast(e.role as varchar) as role,
    cast(e.job_title as varchar) as job_title,
    cast(e.job_level as varchar) as job_level,
    cast(e.is_department_head as boolean) as is_department_head,
    cast(e.manager_id as varchar) as manager_id,
    cast(m.role_sets as varchar) as role_sets,
    cast(m.is_case_role as boolean) as is_case_role,
    cast(m.is_dispute_specialist_role as boolean) as is_dispute_specialist_role,
    cast(m.is_client_rep_role as boolean) as is_client_rep_role,
    cast(m.is_sales_agent_role as boolean) as is_sales_agent_role,
    cast(e.employment_status as varchar) as employment_status,
    cast(e.termination_reason as varchar) as termination_reason,
    cast(e.hire_date as date) as hire_date,
    cast(e.termination_date as date) as termination_date,
    cast(
        e.hire_date <= a.as_of_date
        and coalesce(e.termination_date, cast('9999-12-31' as date)) >= a.as_of_date
        as boolean
    ) as is_active_now
from employees as e
inner join memberships as m on e.employee_id = m.employee_id
cross join as_of_day as a
