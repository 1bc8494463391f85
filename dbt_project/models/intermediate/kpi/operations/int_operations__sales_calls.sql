-- Sales agents' calls (catalogue §10.12, §10.22): every dial by an employee whose role is in
-- seed role_sets sales_agent_roles, started at or before as_of, with its agent-day (the local
-- date of started_at, catalogue §6) and its order within the agent-day. Calls of other roles
-- (client reps) never reach the dialer KPIs or triggers. Materialised as a table: it is the
-- biggest input (~1M rows a year at scale 1) and three models read it.
{{ config(materialized='table') }}

with params as (
    select max(value) filter (where parameter = 'short_call_threshold_s') as short_call_threshold_s
    from {{ ref('kpi_params') }}
),

sales_agents as (
    select e.employee_id, e.department
    from {{ ref('stg_hr__employees') }} as e
    inner join {{ ref('role_sets') }} as r
        on r.role_set = 'sales_agent_roles' and r.role = e.role
),

calls as (
    select c.*, a.department
    from {{ ref('stg_dialer__calls') }} as c
    inner join sales_agents as a on c.agent_id = a.employee_id
    where c.started_at is not null
      and c.duration_s >= 0
      and c.started_at <= {{ as_of() }}
)

select
    c.call_id,
    c.agent_id,
    c.department,
    cast({{ utc_to_local('c.started_at') }} as date) as agent_day,
    row_number() over (
        partition by c.agent_id, cast({{ utc_to_local('c.started_at') }} as date)
        order by c.started_at, c.call_id
    ) as call_seq,
    c.started_at,
    c.ended_at,
    c.duration_s,
    c.duration_s > 0 as is_connected,
    -- A short call is connected and shorter than the configurable threshold (catalogue §6).
    c.duration_s > 0 and c.duration_s < p.short_call_threshold_s as is_short,
    c.engaged,
    c.quoted,
    c.application_submitted,
    c.sale_closed
from calls as c
cross join params as p
