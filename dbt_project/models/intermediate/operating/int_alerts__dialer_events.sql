-- Dialer intervention alerts (catalogue §7.1 AT1-AT3, §6, §10.7): one event per trigger firing
-- (fct_dialer_trigger_events), opened at fired_at for the agent and team lead (L1). The
-- condition clears at re-entry (the linked corrective action's completed_at) or, without one,
-- at the end of the agent-day, when the trigger's counters restart (§6). L2 (sales management)
-- when the same trigger fired >= 3 times within 5 business days, or the agent's ISO week has
-- >= 2 re-entry violations by that day (mart_agent_daily). Which AT rule a trigger is comes
-- from seed alert_rules (variant = trigger id).
with rules as (
    select rule_id, variant as trigger_id from {{ ref('alert_rules') }}
    where rule_id like 'AT%'
),

agent_days as (
    select agent_id, agent_day, week_re_entry_violations
    from {{ ref('mart_agent_daily') }}
)

select
    r.rule_id,
    e.trigger_id as variant,
    e.trigger_id as kpi_id,
    'agent' as entity_type,
    e.agent_id as entity_id,
    coalesce(e.department, 'sales') as department_id,
    cast(null as varchar) as grain,
    cast(null as date) as period_start,
    e.trigger_event_id as opened_key,
    e.fired_at as opened_at,
    case
        when coalesce(e.re_entry_at, {{ local_to_utc(dbt.dateadd('day', 1, 'e.agent_day')) }})
            <= {{ as_of() }}
            then coalesce(e.re_entry_at, {{ local_to_utc(dbt.dateadd('day', 1, 'e.agent_day')) }})
    end as closed_at,
    case when e.alert_level = 'L2' or d.week_re_entry_violations >= 2 then 'L2' end
        as condition_level,
    cast(e.evidence_call_count as double) as observed,
    cast(e.threshold as double) as threshold,
    e.trigger_id || ' fired (' || e.diagnosis || '), firing ' || cast(e.fires_in_5_business_days as varchar)
        || ' in 5 business days, ' || cast(coalesce(e.re_entry_violations, 0) as varchar)
        || ' re-entry violations' as detail
from {{ ref('fct_dialer_trigger_events') }} as e
inner join rules as r on e.trigger_id = r.trigger_id
left join agent_days as d on e.agent_id = d.agent_id and e.agent_day = d.agent_day
where e.fired_at <= {{ as_of() }}
