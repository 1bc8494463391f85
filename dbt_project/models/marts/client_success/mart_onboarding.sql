-- The onboarding operating view (CS Core Metrics Dashboard, Blocker Identification, Reporting
-- Framework): one row per onboarding instance (client, contract_signed_at) signed by as_of, with
-- what the CS daily snapshot, weekly summary and monthly analysis read per client: where it
-- stands (stage, the milestone it is at, the next due date), its speed (time to first win,
-- onboarding duration), quality (milestone on-time rate), engagement (training, tool adoption,
-- portal logins), efficiency (agency hours, tickets), blockers and the latest health score.
-- Durations are fractional calendar days (catalogue §1.1 dy); counters come from the onboarding
-- extract as the catalogue KPIs read them (portal_login_frequency, agency_hours_per_client,
-- onboarding_ticket_volume), so this mart and the KPIs agree.
with instances as (
    select * from {{ ref('int_onboarding__instances') }}
),

milestones as (
    select
        client_id,
        contract_signed_at,
        count(*) as milestones_planned,
        count(*) filter (where is_completed) as milestones_completed,
        count(*) filter (where is_judged) as milestones_judged,
        count(*) filter (where is_judged and is_on_time) as milestones_on_time,
        count(*) filter (where is_overdue_open) as milestones_overdue,
        -- the milestone the client is at: the first incomplete one in plan order
        arg_min(milestone, plan_order) filter (where not is_completed) as current_milestone,
        min(due_date) filter (where not is_completed) as next_due_date,
        max(completed_at) as last_milestone_completed_at
    from {{ ref('int_onboarding__milestone_status') }}
    group by client_id, contract_signed_at
),

blockers as (
    select
        client_id,
        contract_signed_at,
        count(*) as blockers_logged,
        count(*) filter (where is_open) as blockers_open,
        count(*) filter (where is_critical) as critical_blockers,
        count(*) filter (where is_critical and is_open) as critical_blockers_open,
        avg(resolution_days) as mean_blocker_resolution_days,
        -- the most frequent blocker type (ties: alphabetical)
        mode(blocker_type order by blocker_type) as main_blocker_type
    from {{ ref('mart_onboarding_blockers') }}
    where contract_signed_at is not null
    group by client_id, contract_signed_at
),

-- The latest health score: the frozen final one at handoff, else the latest evaluation.
health as (
    select
        client_id,
        contract_signed_at,
        health_score,
        health_band,
        evaluated_at_utc as health_evaluated_at,
        min(health_score) over instance as min_health_score,
        count(*) filter (where health_band = 'red' and not is_final_at_handoff) over instance
            as red_health_days
    from {{ ref('mart_client_health') }}
    window instance as (partition by client_id, contract_signed_at)
    qualify row_number() over (
        partition by client_id, contract_signed_at
        order by is_final_at_handoff desc, evaluated_at_utc desc
    ) = 1
),

-- Latest onboarding-satisfaction response inside the onboarding window (0-10 scale).
satisfaction as (
    select
        o.client_id,
        o.contract_signed_at,
        r.score as onboarding_satisfaction,
        r.responded_at as onboarding_satisfaction_at
    from instances as o
    inner join {{ ref('stg_surveys__responses') }} as r
        on o.client_id = r.client_id
        and r.survey_type = 'onboarding_satisfaction'
        and r.is_score_in_scale
        and r.responded_at >= o.contract_signed_at
        and r.responded_at <= least(o.ob_end, {{ as_of() }})
    qualify row_number() over (
        partition by o.client_id, o.contract_signed_at
        order by r.responded_at desc, r.response_id desc
    ) = 1
)

select
    -- keys
    o.client_id,
    o.contract_signed_at,
    o.contract_date,
    o.csm_id,
    -- where it stands
    o.status as onboarding_status,
    cast(
        case
            when o.handoff_at is not null then 'handed_off'
            when o.is_closed and o.churn_at is not null and o.ob_end = o.churn_at then 'churned'
            when o.is_closed then 'closed_without_handoff'
            else 'in_onboarding'
        end as varchar
    ) as stage,
    o.is_closed,
    o.ob_end,
    o.ob_end_date,
    cast(
        (epoch(least(o.ob_end, {{ as_of() }})) - epoch(o.contract_signed_at)) / 86400.0
        as double
    ) as days_in_onboarding,
    m.current_milestone,
    m.next_due_date,
    -- speed
    o.first_win_at,
    cast(
        (epoch(o.first_win_at) - epoch(o.contract_signed_at)) / 86400.0 as double
    ) as time_to_first_win_days,
    o.handoff_at,
    cast(
        (epoch(o.handoff_at) - epoch(o.contract_signed_at)) / 86400.0 as double
    ) as onboarding_duration_days,
    -- quality
    cast(coalesce(m.milestones_planned, 0) as integer) as milestones_planned,
    cast(coalesce(m.milestones_completed, 0) as integer) as milestones_completed,
    cast(coalesce(m.milestones_judged, 0) as integer) as milestones_judged,
    cast(coalesce(m.milestones_on_time, 0) as integer) as milestones_on_time,
    cast(coalesce(m.milestones_overdue, 0) as integer) as milestones_overdue,
    cast(
        case when m.milestones_judged > 0
            then 100.0 * m.milestones_on_time / m.milestones_judged end as double
    ) as milestone_on_time_rate,
    s.onboarding_satisfaction,
    s.onboarding_satisfaction_at,
    -- engagement
    o.training_completed,
    o.tool_active_by_week2 as tool_adopted_by_week2,
    o.portal_logins,
    -- efficiency
    o.agency_hours,
    o.support_tickets,
    -- blockers
    cast(coalesce(b.blockers_logged, 0) as integer) as blockers_logged,
    cast(coalesce(b.blockers_open, 0) as integer) as blockers_open,
    cast(coalesce(b.critical_blockers, 0) as integer) as critical_blockers,
    cast(coalesce(b.critical_blockers_open, 0) as integer) as critical_blockers_open,
    cast(b.mean_blocker_resolution_days as double) as mean_blocker_resolution_days,
    b.main_blocker_type,
    -- health
    h.health_score,
    h.health_band,
    h.health_evaluated_at,
    h.min_health_score,
    cast(coalesce(h.red_health_days, 0) as integer) as red_health_days,
    {{ as_of() }} as as_of
from instances as o
left join milestones as m
    on o.client_id = m.client_id and o.contract_signed_at = m.contract_signed_at
left join blockers as b
    on o.client_id = b.client_id and o.contract_signed_at = b.contract_signed_at
left join health as h
    on o.client_id = h.client_id and o.contract_signed_at = h.contract_signed_at
left join satisfaction as s
    on o.client_id = s.client_id and o.contract_signed_at = s.contract_signed_at
