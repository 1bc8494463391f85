-- The dialer operating view (catalogue §2.3 dialer KPIs, §6 triggers, SPOS §1–2): one row per
-- sales agent per day with calls (agent-day = agent and local date of started_at), with the
-- day's control metrics and the three intervention triggers: whether each fired, when (the end
-- of the call that completed it, §10.7), the calls that met its condition (of the day's first
-- firing), the diagnosis it names and the day's re-entry violations and escalation level.
-- Thresholds come from seed kpi_params; metrics with a zero denominator are null.
{% set triggers = ['dt_short_calls', 'dt_engaged_no_quote', 'dt_quotes_no_application'] %}

with agent_days as (
    select * from {{ ref('int_operations__sales_agent_days') }}
),

events as (
    select * from {{ ref('fct_dialer_trigger_events') }}
),

params as (
    select max(value) filter (where parameter = 'short_call_threshold_s') as short_call_threshold_s
    from {{ ref('kpi_params') }}
),

by_day as (
    select
        agent_id,
        agent_day,
        count(*) as trigger_firings,
        sum(re_entry_violations) as re_entry_violations,
        max(alert_level) as alert_level,
        {% for t in triggers %}
        count(*) filter (where trigger_id = '{{ t }}') as {{ t }}_firings,
        min(fired_at) filter (where trigger_id = '{{ t }}') as {{ t }}_fired_at,
        any_value(evidence_call_ids) filter (
            where trigger_id = '{{ t }}' and firing_number = 1
        ) as {{ t }}_evidence_call_ids,
        any_value(diagnosis) filter (where trigger_id = '{{ t }}') as {{ t }}_diagnosis{% if not loop.last %},{% endif %}
        {% endfor %}
    from events
    group by agent_id, agent_day
),

joined as (
    select
        d.*,
        b.* exclude (agent_id, agent_day),
        -- ISO week to date: the L2 rule counts re-entry violations per agent and week
        sum(coalesce(b.re_entry_violations, 0)) over (
            partition by d.agent_id, date_trunc('week', d.agent_day)
            order by d.agent_day rows between unbounded preceding and current row
        ) as week_re_entry_violations
    from agent_days as d
    left join by_day as b
        on d.agent_id = b.agent_id and d.agent_day = b.agent_day
)

select
    -- keys
    j.agent_id,
    j.agent_day,
    j.department,
    -- volumes
    cast(j.calls as integer) as calls,
    cast(j.connected_calls as integer) as connected_calls,
    cast(j.short_calls as integer) as short_calls,
    cast(j.engaged_calls as integer) as engaged_calls,
    cast(j.quoted_calls as integer) as quoted_calls,
    cast(j.application_calls as integer) as application_calls,
    cast(j.sale_calls as integer) as sale_calls,
    cast(j.talk_seconds / 60.0 as double) as talk_minutes,
    cast(j.hours_worked as double) as hours_worked,
    j.has_time_entry,
    -- control metrics (catalogue §2.3 formulas at agent-day grain)
    case when j.engaged_calls > 0
        then 100.0 * j.engaged_quoted_calls / j.engaged_calls end as quote_rate,
    case when j.quoted_calls > 0
        then 100.0 * j.quoted_application_calls / j.quoted_calls end as application_rate,
    case when j.engaged_calls > 0
        then 100.0 * j.sale_calls / j.engaged_calls end as close_rate,
    case when j.has_time_entry
        then j.talk_seconds / 60.0 / j.hours_worked end as talk_time_per_hour,
    case when j.connected_calls > 0
        then j.talk_seconds / 60.0 / j.connected_calls end as avg_call_duration,
    cast(p.short_call_threshold_s as integer) as short_call_threshold_s,
    -- intervention triggers (catalogue §6)
    {% for t in triggers %}
    coalesce(j.{{ t }}_firings, 0) > 0 as {{ t }}_fired,
    cast(coalesce(j.{{ t }}_firings, 0) as integer) as {{ t }}_firings,
    j.{{ t }}_fired_at,
    j.{{ t }}_evidence_call_ids,
    j.{{ t }}_diagnosis,
    {% endfor %}
    cast(coalesce(j.trigger_firings, 0) as integer) as trigger_firings,
    coalesce(j.trigger_firings, 0) > 0 as any_trigger_fired,
    cast(coalesce(j.re_entry_violations, 0) as integer) as re_entry_violations,
    cast(j.week_re_entry_violations as integer) as week_re_entry_violations,
    case
        when j.alert_level = 'L2' or j.week_re_entry_violations >= 2 then 'L2'
        when coalesce(j.trigger_firings, 0) > 0 or coalesce(j.re_entry_violations, 0) > 0
            then 'L1'
    end as escalation_level,
    {{ as_of() }} as as_of
from joined as j
cross join params as p
