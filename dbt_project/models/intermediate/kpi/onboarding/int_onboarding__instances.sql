-- Onboarding instances (catalogue §1.3, §10.9): one row per onboarding (client_id,
-- contract_signed_at) signed by as_of, for clients that are not excluded (§1.2: seed
-- excluded_client_ids, CRM test or deleted), with the instants every onboarding KPI and the
-- client-health mart share:
--   churn_at     the first instant after contract_signed_at at which the client stops being
--                active (end of the first activity interval of int_clients__activity that ends
--                after the contract; a later reactivation does not move it). Null while active
--                at as_of or for clients that never had a subscription.
--   ob_end       handoff_at when present; otherwise the earlier of churn_at and
--                contract_signed_at + kpi_params.ob_close_days.
--   ob_window    [contract_signed_at, ob_end); "in onboarding at t" = contract_signed_at <= t < ob_end.
-- Nothing after as_of is known: a handoff, first win or churn after as_of is treated as not yet
-- happened, so an onboarding is closed only once ob_end <= as_of.
{{ config(materialized='table') }}

with params as (
    select cast(max(value) filter (where parameter = 'ob_close_days') as integer) as ob_close_days
    from {{ ref('kpi_params') }}
),

onboardings as (
    select *
    from {{ ref('stg_onboarding__onboardings') }}
    where client_id is not null
      and contract_signed_at is not null
      and contract_signed_at <= {{ as_of() }}
      and client_id not in (select client_id from {{ ref('int_clients__excluded') }})
),

activity as (
    select client_id, active_from, active_to
    from {{ ref('int_clients__activity') }}
    where active_from <= {{ as_of() }}
),

-- The first delivery day of the onboarding extract. Staging keeps each record's latest
-- version, so the earliest delivered_on of any one table can be later than the first file;
-- the milestone plan and the blocker log keep untouched rows from it.
coverage as (
    select least(
        (select min(delivered_on) from {{ ref('stg_onboarding__onboardings') }}),
        (select min(delivered_on) from {{ ref('stg_onboarding__milestones') }}),
        (select min(delivered_on) from {{ ref('stg_onboarding__blockers') }})
    ) as coverage_start
),

subscribed as (
    select distinct client_id from activity
),

churns as (
    select
        o.client_id,
        o.contract_signed_at,
        min(a.active_to) as churn_at
    from onboardings as o
    inner join activity as a
        on o.client_id = a.client_id
        and a.active_to > o.contract_signed_at
        and a.active_to <= {{ as_of() }}
    group by o.client_id, o.contract_signed_at
),

known as (
    select
        o.client_id,
        o.contract_signed_at,
        o.csm_id,
        o.status,
        case when o.first_win_at <= {{ as_of() }} then o.first_win_at end as first_win_at,
        case when o.handoff_at <= {{ as_of() }} then o.handoff_at end as handoff_at,
        o.training_completed,
        o.tool_active_by_week2,
        o.portal_logins,
        o.agency_hours,
        o.support_tickets,
        s.client_id is not null as has_subscription,
        c.churn_at,
        o.contract_signed_at + to_days(p.ob_close_days) as ob_close_at,
        o.delivered_on
    from onboardings as o
    cross join params as p
    left join subscribed as s on o.client_id = s.client_id
    left join churns as c
        on o.client_id = c.client_id and o.contract_signed_at = c.contract_signed_at
),

ended as (
    select
        *,
        coalesce(handoff_at, least(churn_at, ob_close_at)) as ob_end
    from known
)

select
    client_id,
    contract_signed_at,
    cast({{ utc_to_local('contract_signed_at') }} as date) as contract_date,
    csm_id,
    status,
    first_win_at,
    handoff_at,
    churn_at,
    ob_close_at,
    ob_end,
    cast({{ utc_to_local('ob_end') }} as date) as ob_end_date,
    ob_end <= {{ as_of() }} as is_closed,
    training_completed,
    tool_active_by_week2,
    portal_logins,
    agency_hours,
    support_tickets,
    has_subscription,
    delivered_on,
    (select coverage_start from coverage) as coverage_start
from ended
