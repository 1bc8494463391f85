-- Help-desk KPIs read straight from tickets (catalogue §2.2):
--   ticket_resolution_time      M  mean hr(created_at, resolved_at), all tickets, by resolved_at
--   complaint_resolution_time   M  the same over is_complaint tickets (calendar hours)
--   first_call_resolution_rate  R  count(resolved_on_first_contact) / count(flag not null) x 100,
--                                  by resolved_at
--   sla_compliance              R  count(resolved_at <= sla_due_at) / tickets due, by sla_due_at
--                                  once due (sla_due_at <= as_of); unresolved past due = breach
-- Every record is dated in business time and joined to every listed period that contains it;
-- entities are the company, the assignee (employee) and the assignee's HR department. Tickets of
-- excluded clients, negative durations (resolved before created) and records after as_of are
-- left out; a null period date leaves the record out of that KPI (§1.2).
{% set all_grains = ['day', 'week', 'month', 'quarter', 'year'] %}
{% set company_department_employee = ['company', 'department', 'employee'] %}
{% set scope = {
    'ticket_resolution_time': {'grains': all_grains, 'entities': company_department_employee},
    'complaint_resolution_time': {'grains': all_grains, 'entities': ['company', 'employee']},
    'first_call_resolution_rate': {'grains': all_grains, 'entities': company_department_employee},
    'sla_compliance': {'grains': all_grains, 'entities': company_department_employee},
} %}
{% set pct_kpis = ['first_call_resolution_rate', 'sla_compliance'] %}

with tickets as (
    select
        t.*,
        e.department
    from {{ ref('stg_support__tickets') }} as t
    left join {{ ref('stg_hr__employees') }} as e
        on t.assignee_id = e.employee_id
    where t.client_id not in (select client_id from {{ ref('int_clients__excluded') }})
      and t.created_at <= {{ as_of() }}
),

resolved as (
    select *
    from tickets
    where resolved_at is not null
      and resolved_at >= created_at
      and resolved_at <= {{ as_of() }}
),

records as (
    select
        'ticket_resolution_time' as kpi_id,
        cast({{ utc_to_local('resolved_at') }} as date) as period_date,
        assignee_id,
        department,
        (epoch(resolved_at) - epoch(created_at)) / 3600.0 as numerator,
        1 as denominator
    from resolved
    union all
    select
        'complaint_resolution_time',
        cast({{ utc_to_local('resolved_at') }} as date),
        assignee_id,
        department,
        (epoch(resolved_at) - epoch(created_at)) / 3600.0,
        1
    from resolved
    where is_complaint
    union all
    select
        'first_call_resolution_rate',
        cast({{ utc_to_local('resolved_at') }} as date),
        assignee_id,
        department,
        case when resolved_on_first_contact then 1 else 0 end,
        1
    from resolved
    where resolved_on_first_contact is not null
    union all
    select
        'sla_compliance',
        cast({{ utc_to_local('sla_due_at') }} as date),
        assignee_id,
        department,
        case when resolved_at is not null and resolved_at <= sla_due_at then 1 else 0 end,
        1
    from tickets
    where sla_due_at is not null
      and sla_due_at <= {{ as_of() }}
),

{{ client_kpi_rollup(scope, {'department': 'department', 'employee': 'assignee_id'}, pct_kpis) }}
