-- quote_rate, application_rate, close_rate, talk_time_per_hour and avg_call_duration
-- (catalogue §2.3, §3, §10.12): sales agents' calls only, by started_at in business time,
-- at grains d/w/m for each agent and the company. Agg R: the calls are first counted per
-- agent-day (int_operations__sales_agent_days), then numerators and denominators are summed
-- over the agent-days of each period, never averaged.
--   quote_rate          engaged and quoted / engaged ×100
--   application_rate    quoted and application_submitted / quoted ×100
--   close_rate          sale_closed / engaged ×100 (denominator engaged calls, §3)
--   talk_time_per_hour  Σ duration_s / 60 / Σ hours_worked over agent-days with calls and a
--                       time entry (an agent-day without one leaves both sides, §10.12)
--   avg_call_duration   Σ duration_s / 60 / connected calls (short calls included)
with agent_days as (
    select * from {{ ref('int_operations__sales_agent_days') }}
),

periods as (
    select grain, period_start, period_end, is_partial
    from {{ ref('int_kpi_periods') }}
    where grain in ('day', 'week', 'month')
),

entities as (
    select 'agent' as entity_type, agent_id as entity_id, d.* from agent_days as d
    union all
    select 'company', 'all', d.* from agent_days as d
),

by_period as (
    select
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial,
        e.entity_type,
        e.entity_id,
        count(*) as agent_days,
        sum(e.engaged_calls) as engaged_calls,
        sum(e.engaged_quoted_calls) as engaged_quoted_calls,
        sum(e.quoted_calls) as quoted_calls,
        sum(e.quoted_application_calls) as quoted_application_calls,
        sum(e.sale_calls) as sale_calls,
        sum(e.connected_calls) as connected_calls,
        sum(e.talk_seconds) / 60.0 as talk_minutes,
        count(*) filter (where e.has_time_entry) as timed_agent_days,
        sum(e.talk_seconds) filter (where e.has_time_entry) / 60.0 as timed_talk_minutes,
        sum(e.hours_worked) filter (where e.has_time_entry) as hours_worked
    from periods as p
    inner join entities as e
        on e.agent_day >= p.period_start and e.agent_day < p.period_end
    group by all
),

components as (
    select 'quote_rate' as kpi_id, b.*,
        engaged_quoted_calls as num, engaged_calls as den, 100.0 as scale, engaged_calls as n
    from by_period as b
    union all
    select 'application_rate', b.*,
        quoted_application_calls, quoted_calls, 100.0, quoted_calls
    from by_period as b
    union all
    select 'close_rate', b.*, sale_calls, engaged_calls, 100.0, engaged_calls
    from by_period as b
    union all
    select 'talk_time_per_hour', b.*,
        timed_talk_minutes, hours_worked, 1.0, timed_agent_days
    from by_period as b
    union all
    select 'avg_call_duration', b.*, talk_minutes, connected_calls, 1.0, connected_calls
    from by_period as b
)

select
    kpi_id,
    grain,
    entity_type,
    entity_id,
    period_start,
    period_end,
    num as numerator,
    den as denominator,
    case when den > 0 then scale * num / den end as value,
    n as sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from components
