-- Dialer intervention triggers (catalogue §6, §10.7, §10.22): one row per firing, evaluated
-- over each sales agent-day's calls in started_at order, exactly as a real-time evaluation on
-- every call insert would see them.
--   dt_short_calls           count of short calls >= short_call_trigger_count
--   dt_engaged_no_quote      t2_consecutive consecutive engaged calls with quoted = false
--   dt_quotes_no_application t3_consecutive consecutive quoted calls without an application
-- A trigger fires once, when its condition first becomes true; fired_at is the end of the call
-- that completed it (started_at + duration_s). Firing opens a corrective action (kpi_id = the
-- trigger id, owner = the agent); the linked action is the first one created at or after
-- fired_at on the same agent-day, and its completed_at is the re-entry. Counters restart at re-entry, for the trigger
-- that fired only, so the same trigger can fire again later that day; without a re-entry on the
-- same day it cannot. Calls the agent starts strictly after fired_at and before re-entry are
-- re-entry violations. Thresholds come from seed kpi_params (via seed dialer_triggers).
{{ config(materialized='table') }}

with recursive triggers as (
    select
        t.trigger_id,
        t.diagnosis,
        cast(p.value as integer) as threshold
    from {{ ref('dialer_triggers') }} as t
    inner join {{ ref('kpi_params') }} as p on p.parameter = t.threshold_parameter
),

calls as (
    select * from {{ ref('int_operations__sales_calls') }}
),

-- The calls each trigger looks at, and whether each one counts towards it (is_fail) or
-- resets its run. Short calls never reset: dt_short_calls is a count, not a run.
counted as (
    select 'dt_short_calls' as trigger_id, call_id, agent_id, agent_day, call_seq,
        started_at, ended_at, true as is_fail
    from calls where is_short
    union all
    select 'dt_engaged_no_quote', call_id, agent_id, agent_day, call_seq,
        started_at, ended_at, not quoted
    from calls where engaged
    union all
    select 'dt_quotes_no_application', call_id, agent_id, agent_day, call_seq,
        started_at, ended_at, not application_submitted
    from calls where quoted
),

numbered as (
    select
        *,
        -- failures so far in the agent-day, and resets so far (a run is the failures since
        -- the last reset)
        sum(case when is_fail then 1 else 0 end) over running as fail_index,
        sum(case when is_fail then 0 else 1 end) over running as reset_group
    from counted
    window running as (
        partition by agent_id, agent_day, trigger_id order by call_seq
        rows between unbounded preceding and current row
    )
),

-- Every failing call with the length of the run it ends (from the start of the day).
failures as (
    select
        n.*,
        count(*) over (
            partition by n.agent_id, n.agent_day, n.trigger_id, n.reset_group
            order by n.call_seq rows between unbounded preceding and current row
        ) as run_length,
        t.threshold
    from numbered as n
    inner join triggers as t on n.trigger_id = t.trigger_id
    where n.is_fail
),

trigger_actions as (
    select action_id, kpi_id, owner_id, created_at, completed_at
    from {{ ref('stg_actions__corrective_actions') }}
    where is_dialer_trigger
      and created_at <= {{ as_of() }}
),

-- The corrective action a firing on this call would open: the first one created at or after
-- the call's end, for the same trigger and agent, on the same agent-day (the dialer opens it on
-- fire; an action of a later day belongs to a later firing, not to this one).
next_actions as (
    select
        f.*,
        a.action_id as next_action_id,
        a.created_at as next_action_created_at,
        a.completed_at as next_action_completed_at
    from failures as f
    asof left join trigger_actions as a
        on f.agent_id = a.owner_id
        and f.trigger_id = a.kpi_id
        and f.ended_at <= a.created_at
),

linked as (
    select
        *,
        cast({{ utc_to_local('next_action_created_at') }} as date) = agent_day as is_same_day
    from next_actions
),

candidates as (
    select
        * exclude (next_action_id, next_action_created_at, next_action_completed_at, is_same_day),
        case when is_same_day then next_action_id end as action_id,
        case when is_same_day then next_action_created_at end as action_created_at,
        case
            when is_same_day and next_action_completed_at <= {{ as_of() }}
                then next_action_completed_at
        end as re_entry_at
    from linked
),

firings as (
    -- first firing of the day: the first failure whose count/run reaches the threshold
    select
        agent_id, agent_day, trigger_id,
        1 as firing_number,
        call_id as firing_call_id,
        call_seq, fail_index, ended_at as fired_at,
        action_id, action_created_at, re_entry_at
    from candidates
    where run_length >= threshold
    qualify row_number() over (
        partition by agent_id, agent_day, trigger_id order by call_seq
    ) = 1

    union all

    -- after re-entry the counter restarts: count only failures of calls started at or after
    -- re-entry (a run can also have been reset in between)
    select
        agent_id, agent_day, trigger_id,
        firing_number,
        call_id,
        call_seq, fail_index, ended_at,
        action_id, action_created_at, re_entry_at
    from (
        select
            c.*,
            f.firing_number + 1 as firing_number,
            c.fail_index - min(c.fail_index) over (
                partition by c.agent_id, c.agent_day, c.trigger_id
            ) + 1 as fails_since_re_entry
        from firings as f
        inner join candidates as c
            on c.agent_id = f.agent_id
            and c.agent_day = f.agent_day
            and c.trigger_id = f.trigger_id
            and c.started_at >= f.re_entry_at
    )
    where least(run_length, fails_since_re_entry) >= threshold
    qualify row_number() over (
        partition by agent_id, agent_day, trigger_id order by call_seq
    ) = 1
),

-- The calls that met the condition: the last `threshold` failures up to the firing call.
evidence as (
    select
        f.agent_id, f.agent_day, f.trigger_id, f.firing_number,
        list(c.call_id order by c.call_seq) as evidence_call_ids
    from firings as f
    inner join triggers as t on f.trigger_id = t.trigger_id
    inner join failures as c
        on c.agent_id = f.agent_id
        and c.agent_day = f.agent_day
        and c.trigger_id = f.trigger_id
        and c.fail_index > f.fail_index - t.threshold
        and c.fail_index <= f.fail_index
    group by f.agent_id, f.agent_day, f.trigger_id, f.firing_number
),

-- Calls started strictly after fired_at and before re-entry (catalogue §10.7); while the
-- action is still open at as_of, up to as_of.
violations as (
    select
        f.agent_id, f.agent_day, f.trigger_id, f.firing_number,
        count(c.call_id) as re_entry_violations
    from firings as f
    left join calls as c
        on c.agent_id = f.agent_id
        and c.started_at > f.fired_at
        and c.started_at < coalesce(f.re_entry_at, {{ as_of() }})
    where f.action_id is not null
    group by f.agent_id, f.agent_day, f.trigger_id, f.firing_number
)

select
    {{ dbt.concat(["f.trigger_id", "'|'", "f.agent_id", "'|'", "cast(f.agent_day as varchar)", "'|'", "cast(f.firing_number as varchar)"]) }}
        as trigger_event_id,
    f.agent_id,
    f.agent_day,
    f.trigger_id,
    f.firing_number,
    t.threshold,
    t.diagnosis,
    f.firing_call_id,
    f.fired_at,
    e.evidence_call_ids,
    f.action_id,
    f.action_created_at,
    f.re_entry_at,
    {{ dbt.datediff('f.fired_at', 'f.re_entry_at', 'second') }} / 60.0 as correction_minutes,
    v.re_entry_violations
from firings as f
inner join triggers as t on f.trigger_id = t.trigger_id
inner join evidence as e
    on f.agent_id = e.agent_id
    and f.agent_day = e.agent_day
    and f.trigger_id = e.trigger_id
    and f.firing_number = e.firing_number
left join violations as v
    on f.agent_id = v.agent_id
    and f.agent_day = v.agent_day
    and f.trigger_id = v.trigger_id
    and f.firing_number = v.firing_number
