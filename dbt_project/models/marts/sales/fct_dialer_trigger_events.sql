-- One row per dialer intervention trigger firing (catalogue §6, §10.7, §10.22; the
-- warehouse-produced dialer_trigger_events of §9): who, which trigger, when it fired, the calls
-- that met the condition, the diagnosis the trigger names, the corrective action it opened and
-- the re-entry, and the alert level (AT1–3): L1 to the agent and team lead, L2 to sales
-- management when the same trigger has fired at least 3 times for the agent within 5 business
-- days (this firing included).
with firings as (
    select * from {{ ref('int_operations__dialer_trigger_firings') }}
),

business_days as (
    select
        date_day,
        count(*) filter (where is_business_day) over (
            order by date_day rows between unbounded preceding and current row
        ) as business_day_number
    from {{ ref('dim_date') }}
),

numbered as (
    select f.*, b.business_day_number
    from firings as f
    left join business_days as b on f.agent_day = b.date_day
),

-- Firings of the same trigger and agent within the 5 business days ending at this one.
recent as (
    select
        f.trigger_event_id,
        count(*) as fires_in_5_business_days
    from numbered as f
    inner join numbered as o
        on o.agent_id = f.agent_id
        and o.trigger_id = f.trigger_id
        and o.fired_at <= f.fired_at
        and o.business_day_number > f.business_day_number - 5
    group by f.trigger_event_id
),

agents as (
    select employee_id, department from {{ ref('stg_hr__employees') }}
)

select
    f.trigger_event_id,
    f.trigger_id,
    f.agent_id,
    a.department,
    f.agent_day,
    cast(f.firing_number as integer) as firing_number,
    f.fired_at,
    f.firing_call_id,
    f.evidence_call_ids,
    cast(len(f.evidence_call_ids) as integer) as evidence_call_count,
    f.threshold,
    f.diagnosis,
    cast(r.fires_in_5_business_days as integer) as fires_in_5_business_days,
    case when r.fires_in_5_business_days >= 3 then 'L2' else 'L1' end as alert_level,
    f.action_id as corrective_action_id,
    f.action_created_at,
    f.re_entry_at,
    f.correction_minutes,
    cast(f.re_entry_violations as integer) as re_entry_violations,
    {{ as_of() }} as as_of
from numbered as f
inner join recent as r on f.trigger_event_id = r.trigger_event_id
left join agents as a on f.agent_id = a.employee_id
