-- One row per sales agent-day with at least one call (catalogue §6 agent-day: agent_id and the
-- local date of started_at): the funnel counts, talk time and short calls of the day, and the
-- hours of the agent's time entries that day. Every dialer KPI (quote, application and close
-- rate, talk time per hour, average call duration) rolls these agent-days up to each grain by
-- summing numerators and denominators, and mart_agent_daily shows them. An agent-day with calls
-- but no time entry keeps has_time_entry = false: it leaves talk_time_per_hour (§10.12).
{{ config(materialized='table') }}

with calls as (
    select * from {{ ref('int_operations__sales_calls') }}
),

hours as (
    select employee_id, work_date, sum(hours_worked) as hours_worked
    from {{ ref('stg_hr__time_entries') }}
    where work_date <= cast({{ utc_to_local(as_of()) }} as date)
    group by employee_id, work_date
),

days as (
    select
        agent_id,
        agent_day,
        any_value(department) as department,
        count(*) as calls,
        count(*) filter (where is_connected) as connected_calls,
        count(*) filter (where is_short) as short_calls,
        count(*) filter (where engaged) as engaged_calls,
        count(*) filter (where engaged and quoted) as engaged_quoted_calls,
        count(*) filter (where quoted) as quoted_calls,
        count(*) filter (where quoted and application_submitted) as quoted_application_calls,
        count(*) filter (where application_submitted) as application_calls,
        count(*) filter (where sale_closed) as sale_calls,
        sum(duration_s) as talk_seconds,
        min(started_at) as first_call_at,
        max(ended_at) as last_call_ended_at
    from calls
    group by agent_id, agent_day
)

select
    d.*,
    h.hours_worked,
    coalesce(h.hours_worked, 0) > 0 as has_time_entry
from days as d
left join hours as h
    on d.agent_id = h.employee_id and d.agent_day = h.work_date
