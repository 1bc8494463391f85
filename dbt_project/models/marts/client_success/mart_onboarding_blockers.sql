-- The onboarding blocker log (CS Blocker Identification System: type, time to resolution,
-- impact on timeline): one row per onboarding blocker logged by as_of, linked to the onboarding
-- instance it belongs to (the client's latest contract signed at or before logged_at). A
-- resolution after as_of is not known yet (the blocker is open at as_of). resolution_days =
-- dy(logged_at, resolved_at) (a negative span is a DQ failure and gives null, §1.2);
-- open_age_days = dy(logged_at, as_of) while open. Impact on timeline: the instance's
-- milestones due while the blocker was open, and how many of them were not completed on time.
with blockers as (
    select
        b.blocker_id,
        b.client_id,
        b.blocker_type,
        b.severity,
        b.logged_at,
        case when b.resolved_at <= {{ as_of() }} then b.resolved_at end as resolved_at
    from {{ ref('stg_onboarding__blockers') }} as b
    where b.logged_at is not null
      and b.logged_at <= {{ as_of() }}
      and b.client_id not in (select client_id from {{ ref('int_clients__excluded') }})
),

instances as (
    select client_id, contract_signed_at, csm_id, ob_end
    from {{ ref('int_onboarding__instances') }}
),

linked as (
    select
        b.*,
        o.contract_signed_at,
        o.csm_id,
        o.ob_end
    from blockers as b
    asof left join instances as o
        on b.client_id = o.client_id and b.logged_at >= o.contract_signed_at
),

impact as (
    select
        l.blocker_id,
        count(m.milestone_id) as milestones_due_while_open,
        count(m.milestone_id) filter (where not m.is_on_time and m.is_judged)
            as milestones_late_while_open
    from linked as l
    inner join {{ ref('int_onboarding__milestone_status') }} as m
        on l.client_id = m.client_id
        and l.contract_signed_at = m.contract_signed_at
        and m.due_date >= cast({{ utc_to_local('l.logged_at') }} as date)
        and m.due_date <= cast({{ utc_to_local('coalesce(l.resolved_at, ' ~ as_of() ~ ')') }} as date)
    group by l.blocker_id
)

select
    l.blocker_id,
    l.client_id,
    l.contract_signed_at,
    l.csm_id,
    l.blocker_type,
    l.severity,
    l.severity = 'critical' as is_critical,
    l.logged_at,
    cast({{ utc_to_local('l.logged_at') }} as date) as logged_date,
    l.resolved_at,
    l.resolved_at is null as is_open,
    l.contract_signed_at is not null and l.logged_at < l.ob_end as is_during_onboarding,
    cast(
        (epoch(l.logged_at) - epoch(l.contract_signed_at)) / 86400.0 as double
    ) as days_after_contract,
    cast(case when l.resolved_at >= l.logged_at
        then (epoch(l.resolved_at) - epoch(l.logged_at)) / 86400.0 end as double)
        as resolution_days,
    cast(case when l.resolved_at is null
        then (epoch({{ as_of() }}) - epoch(l.logged_at)) / 86400.0 end as double)
        as open_age_days,
    cast(coalesce(i.milestones_due_while_open, 0) as integer) as milestones_due_while_open,
    cast(coalesce(i.milestones_late_while_open, 0) as integer) as milestones_late_while_open
from linked as l
left join impact as i on l.blocker_id = i.blocker_id
