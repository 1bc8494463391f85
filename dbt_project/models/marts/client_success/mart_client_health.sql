-- Client health score (catalogue §5, CS Tracking Systems §1): one row per onboarding instance
-- per business-time day it is in onboarding, evaluated at the end of that day (t = the last
-- instant of the day, or as_of for today), for every instance in onboarding at t
-- (contract_signed_at <= t < ob_end) whose client has not churned by t; plus one frozen row per
-- handed-off onboarding evaluated at t = handoff_at (is_final_at_handoff, the final onboarding
-- health). Everything counted is at or before t (§10.8). With e = dy(contract_signed_at, t):
--   MC (0-40)  D = milestones with due_date < date(t) or completed by t; credit 1 when
--              date(completed_at) <= due_date, 0.5 when completed late, 0 when not completed
--              and past due. MC = 40 × Σcredit / |D|; |D| = 0 -> 40.
--   EN (0-30)  portal: 10 × min(1, logins / (10 × min(e, 30) / 30)), logins = portal_login
--              events in [contract_signed_at, t] (onboarding.portal_logins when product usage
--              is not loaded); e < 1 -> 10. training: 10 when completed by t (the flag, dated
--              by the core_training milestone), 5 when not and e <= 14, else 0. tools: last AI
--              tool use (seed ai_tool_features) <= t; 10 when t − last <= 7 d, 5 when 7-14 d or
--              no use yet and e <= 7, else 0.
--   SA (0-20)  most recent response in [contract_signed_at, t]: onboarding_satisfaction or nps
--              -> 20 × s / 10, csat -> 20 × (s − 1) / 4; capped at 10 while a complaint ticket
--              created in the last 14 days is unresolved at t. Missing without a response.
--   CR (0-10)  open_request = earliest of open client_unresponsive / missing_assets_or_access
--              blockers (logged_at) and past-due, incomplete client-owned milestones (00:00 of
--              due_date, §10.8); none -> 10. Else gap = t − max(open_request, last client
--              activity: feature or mobile use, client-created ticket, survey response);
--              10 when gap <= 24 h, 5 when < 48 h, 0 when >= 48 h.
-- Total = MC + EN + SA + CR, or 100 × (MC + EN + CR) / 80 when SA is missing; rounded half-up to
-- an integer before banding: 80-100 green, 60-79 yellow, 0-59 red.
-- Set-based: evaluation points (instance × day) are joined to each input and aggregated.
{% set request_blocker_types = ['client_unresponsive', 'missing_assets_or_access'] %}

with instances as (
    select * from {{ ref('int_onboarding__instances') }}
),

as_of_day as (
    select cast({{ utc_to_local(as_of()) }} as date) as as_of_date
),

-- Evaluation points: the end of each day in onboarding (as_of for today), and handoff_at.
daily_points as (
    select
        o.client_id,
        o.contract_signed_at,
        d.date_day as score_date,
        least(
            {{ local_to_utc('d.date_day + interval 1 day') }} - interval 1 microsecond,
            {{ as_of() }}
        ) as evaluated_at,
        false as is_final_at_handoff
    from instances as o
    cross join as_of_day as a
    inner join {{ ref('dim_date') }} as d
        on d.date_day >= o.contract_date
        and d.date_day <= least(o.ob_end_date, a.as_of_date)
),

points as (
    select p.*
    from daily_points as p
    inner join instances as o
        on p.client_id = o.client_id and p.contract_signed_at = o.contract_signed_at
    where p.evaluated_at >= o.contract_signed_at
      and p.evaluated_at < o.ob_end
      and (o.churn_at is null or o.churn_at > p.evaluated_at)

    union all

    select
        client_id,
        contract_signed_at,
        cast({{ utc_to_local('handoff_at') }} as date),
        handoff_at,
        true
    from instances
    where handoff_at is not null
      and handoff_at >= contract_signed_at
),

evaluated as (
    select
        p.*,
        o.csm_id,
        o.ob_end,
        o.training_completed,
        o.portal_logins as onboarding_portal_logins,
        cast({{ utc_to_local('p.evaluated_at') }} as date) as t_date,
        (epoch(p.evaluated_at) - epoch(o.contract_signed_at)) / 86400.0 as elapsed_days
    from points as p
    inner join instances as o
        on p.client_id = o.client_id and p.contract_signed_at = o.contract_signed_at
),

-- Inputs, limited to the clients and time span the points can see.
milestones as (
    select
        m.client_id,
        m.contract_signed_at,
        m.milestone,
        m.is_client_owned,
        m.due_date,
        m.completed_at,
        cast({{ utc_to_local('m.completed_at') }} as date) as completed_date,
        {{ local_to_utc('m.due_date') }} as due_day_start_at
    from {{ ref('stg_onboarding__milestones') }} as m
    inner join instances as o
        on m.client_id = o.client_id and m.contract_signed_at = o.contract_signed_at
),

spans as (
    select client_id, max(ob_end) as last_at
    from instances
    group by client_id
),

features as (
    select f.client_id, f.feature, a.feature is not null as is_ai_tool, f.used_at
    from {{ ref('stg_product__feature_usage') }} as f
    inner join spans as s on f.client_id = s.client_id and f.used_at <= s.last_at
    left join {{ ref('ai_tool_features') }} as a on f.feature = a.feature
),

feature_usage_loaded as (
    select count(*) > 0 as is_loaded from {{ ref('stg_product__feature_usage') }}
),

responses as (
    select r.response_id, r.client_id, r.survey_type, r.score, r.is_score_in_scale, r.responded_at
    from {{ ref('stg_surveys__responses') }} as r
    inner join spans as s on r.client_id = s.client_id and r.responded_at <= s.last_at
),

tickets as (
    select t.client_id, t.is_complaint, t.is_client_created, t.created_at, t.resolved_at
    from {{ ref('stg_support__tickets') }} as t
    inner join spans as s on t.client_id = s.client_id and t.created_at <= s.last_at
),

activity as (
    select client_id, used_at as active_at from features
    union all
    select m.client_id, m.used_at
    from {{ ref('stg_product__mobile_usage') }} as m
    inner join spans as s on m.client_id = s.client_id and m.used_at <= s.last_at
    union all
    select client_id, created_at from tickets where is_client_created
    union all
    select client_id, responded_at from responses
),

-- MC: milestone completion.
milestone_scores as (
    select
        e.client_id,
        e.contract_signed_at,
        e.evaluated_at,
        count(*) filter (
            where m.due_date < e.t_date or m.completed_at <= e.evaluated_at
        ) as milestones_in_scope,
        sum(
            case
                when m.completed_at <= e.evaluated_at and m.completed_date <= m.due_date then 1.0
                when m.completed_at <= e.evaluated_at then 0.5
                else 0.0
            end
        ) filter (where m.due_date < e.t_date or m.completed_at <= e.evaluated_at)
            as milestone_credit,
        bool_or(m.milestone = 'core_training' and m.completed_at <= e.evaluated_at)
            as is_training_milestone_done,
        count(*) filter (where m.milestone = 'core_training' and m.completed_at is not null)
            as training_milestones_completed,
        min(m.due_day_start_at) filter (
            where m.is_client_owned
            and m.due_date < e.t_date
            and (m.completed_at is null or m.completed_at > e.evaluated_at)
        ) as first_overdue_request_at
    from evaluated as e
    inner join milestones as m
        on e.client_id = m.client_id and e.contract_signed_at = m.contract_signed_at
    group by e.client_id, e.contract_signed_at, e.evaluated_at
),

-- EN inputs: portal logins since the contract and the last AI-tool use, both by t.
usage_scores as (
    select
        e.client_id,
        e.contract_signed_at,
        e.evaluated_at,
        count(*) filter (
            where f.feature = 'portal_login' and f.used_at >= e.contract_signed_at
        ) as portal_logins,
        max(f.used_at) filter (where f.is_ai_tool) as last_ai_tool_at
    from evaluated as e
    inner join features as f
        on e.client_id = f.client_id and f.used_at <= e.evaluated_at
    group by e.client_id, e.contract_signed_at, e.evaluated_at
),

-- SA: the most recent response since the contract, and open recent complaints.
latest_responses as (
    select
        e.client_id,
        e.contract_signed_at,
        e.evaluated_at,
        case r.survey_type
            when 'csat' then 20.0 * (r.score - 1) / 4
            else 20.0 * r.score / 10
        end as response_points
    from evaluated as e
    inner join responses as r
        on e.client_id = r.client_id
        and r.responded_at >= e.contract_signed_at
        and r.responded_at <= e.evaluated_at
    where r.survey_type in ('onboarding_satisfaction', 'nps', 'csat')
      and r.is_score_in_scale
    qualify row_number() over (
        partition by e.client_id, e.contract_signed_at, e.evaluated_at
        order by r.responded_at desc, r.response_id desc
    ) = 1
),

open_complaints as (
    select distinct
        e.client_id,
        e.contract_signed_at,
        e.evaluated_at
    from evaluated as e
    inner join tickets as t
        on e.client_id = t.client_id
        and t.is_complaint
        and t.created_at <= e.evaluated_at
        and t.created_at > e.evaluated_at - interval 14 day
        and (t.resolved_at is null or t.resolved_at > e.evaluated_at)
),

-- CR inputs: open blocker requests and the last client activity, both by t.
blocker_requests as (
    select
        e.client_id,
        e.contract_signed_at,
        e.evaluated_at,
        min(b.logged_at) as first_blocker_request_at
    from evaluated as e
    inner join {{ ref('stg_onboarding__blockers') }} as b
        on e.client_id = b.client_id
        and b.logged_at <= e.evaluated_at
        and (b.resolved_at is null or b.resolved_at > e.evaluated_at)
    where b.blocker_type in ('{{ request_blocker_types | join("', '") }}')
    group by e.client_id, e.contract_signed_at, e.evaluated_at
),

last_activity as (
    select
        e.client_id,
        e.contract_signed_at,
        e.evaluated_at,
        max(a.active_at) as last_client_activity_at
    from evaluated as e
    inner join activity as a
        on e.client_id = a.client_id and a.active_at <= e.evaluated_at
    group by e.client_id, e.contract_signed_at, e.evaluated_at
),

combined as (
    select
        e.*,
        coalesce(ms.milestones_in_scope, 0) as milestones_in_scope,
        ms.milestone_credit,
        case
            when (select is_loaded from feature_usage_loaded) then coalesce(u.portal_logins, 0)
            else e.onboarding_portal_logins
        end as portal_logins,
        u.last_ai_tool_at,
        coalesce(e.training_completed, false)
            and (
                coalesce(ms.is_training_milestone_done, false)
                or coalesce(ms.training_milestones_completed, 0) = 0
            ) as is_training_done,
        lr.response_points,
        oc.client_id is not null as has_open_complaint,
        least(ms.first_overdue_request_at, br.first_blocker_request_at) as open_request_at,
        la.last_client_activity_at
    from evaluated as e
    left join milestone_scores as ms
        on e.client_id = ms.client_id
        and e.contract_signed_at = ms.contract_signed_at
        and e.evaluated_at = ms.evaluated_at
    left join usage_scores as u
        on e.client_id = u.client_id
        and e.contract_signed_at = u.contract_signed_at
        and e.evaluated_at = u.evaluated_at
    left join latest_responses as lr
        on e.client_id = lr.client_id
        and e.contract_signed_at = lr.contract_signed_at
        and e.evaluated_at = lr.evaluated_at
    left join open_complaints as oc
        on e.client_id = oc.client_id
        and e.contract_signed_at = oc.contract_signed_at
        and e.evaluated_at = oc.evaluated_at
    left join blocker_requests as br
        on e.client_id = br.client_id
        and e.contract_signed_at = br.contract_signed_at
        and e.evaluated_at = br.evaluated_at
    left join last_activity as la
        on e.client_id = la.client_id
        and e.contract_signed_at = la.contract_signed_at
        and e.evaluated_at = la.evaluated_at
),

components as (
    select
        *,
        case
            when milestones_in_scope = 0 then 40.0
            else 40.0 * milestone_credit / milestones_in_scope
        end as milestone_points,
        case
            when elapsed_days < 1 then 10.0
            else 10.0 * least(1.0, portal_logins / (10.0 * least(elapsed_days, 30) / 30))
        end as portal_points,
        case
            when is_training_done then 10.0
            when elapsed_days <= 14 then 5.0
            else 0.0
        end as training_points,
        case
            when last_ai_tool_at is null and elapsed_days <= 7 then 5.0
            when last_ai_tool_at is null then 0.0
            when epoch(evaluated_at) - epoch(last_ai_tool_at) <= 7 * 86400 then 10.0
            when epoch(evaluated_at) - epoch(last_ai_tool_at) <= 14 * 86400 then 5.0
            else 0.0
        end as tools_points,
        case
            when has_open_complaint then least(response_points, 10.0)
            else response_points
        end as satisfaction_points,
        case
            when open_request_at is null then null
            else (
                epoch(evaluated_at) - epoch(greatest(open_request_at, last_client_activity_at))
            ) / 3600.0
        end as request_gap_hours
    from combined
),

scored as (
    select
        *,
        portal_points + training_points + tools_points as engagement_points,
        case
            when request_gap_hours is null then 10.0
            when request_gap_hours <= 24 then 10.0
            when request_gap_hours < 48 then 5.0
            else 0.0
        end as responsiveness_points
    from components
),

totalled as (
    select
        *,
        case
            when satisfaction_points is null
                then 100.0 * (milestone_points + engagement_points + responsiveness_points) / 80
            else milestone_points + engagement_points + satisfaction_points + responsiveness_points
        end as total_points
    from scored
),

rounded as (
    select
        *,
        -- half-up; the inner round removes binary noise such as 79.4999999
        cast(floor(round(total_points, 6) + 0.5) as integer) as health_score
    from totalled
)

select
    client_id,
    contract_signed_at,
    csm_id,
    score_date,
    evaluated_at as evaluated_at_utc,
    is_final_at_handoff,
    evaluated_at = {{ as_of() }} as is_as_of,
    cast(elapsed_days as double) as elapsed_days,
    cast(milestones_in_scope as integer) as milestones_in_scope,
    cast(milestone_points as double) as milestone_points,
    cast(portal_logins as integer) as portal_logins,
    cast(portal_points as double) as portal_points,
    cast(training_points as double) as training_points,
    cast(tools_points as double) as tools_points,
    cast(engagement_points as double) as engagement_points,
    cast(satisfaction_points as double) as satisfaction_points,
    has_open_complaint,
    open_request_at,
    last_client_activity_at,
    cast(request_gap_hours as double) as request_gap_hours,
    cast(responsiveness_points as double) as responsiveness_points,
    cast(total_points as double) as total_points,
    health_score,
    cast(
        case
            when health_score >= 80 then 'green'
            when health_score >= 60 then 'yellow'
            else 'red'
        end as varchar
    ) as health_band,
    {{ as_of() }} as as_of
from rounded
