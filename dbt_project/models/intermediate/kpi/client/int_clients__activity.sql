-- Client activity intervals (catalogue §1.3 active(c, t), churn_at(c); §10.1, §10.2): one row
-- per client per uninterrupted stretch with >= 1 live subscription. A CRM client (contact with
-- became_client_at, not excluded) is linked to Stripe by the hashed customer key. live(s, t) is
-- read as in int_kpi_mrr, just before t: started_at < t, trial over before t, t <= ended_at
-- (ended_at, not canceled_at, which can be the request). Overlapping or touching subscriptions
-- merge, so a client that ends one of two subscriptions stays active (§10.2); a later interval
-- is a reactivation. A client is active just before t iff active_from < t <= active_to (null =
-- still running). Read by client_retention_rate / client_churn_rate (S, E, N, L), outcome_at and
-- ob_end (first churn_at after a reference instant) and dim_client.
with clients as (
    select client_id, customer_key, became_client_at
    from {{ ref('stg_crm__contacts') }}
    where client_id is not null
      and became_client_at is not null
      and customer_key is not null
      and not is_test
      and not is_deleted
      and client_id not in (select client_id from {{ ref('int_clients__excluded') }})
),

subscriptions as (
    select
        subscription_id,
        customer_key,
        greatest(started_at, coalesce(trial_ended_at, started_at)) as live_from,
        ended_at as live_to
    from {{ ref('stg_stripe__subscriptions') }}
    where not is_test
      and coalesce(status, '') not in ('incomplete', 'incomplete_expired')
      and started_at is not null
),

linked as (
    select c.client_id, c.became_client_at, s.subscription_id, s.live_from, s.live_to
    from subscriptions as s
    inner join clients as c on s.customer_key = c.customer_key
    -- a subscription that ended before its trial did is never live
    where s.live_to is null or s.live_to > s.live_from
),

-- Islands: a subscription starts a new interval when it begins after every earlier one ended.
ordered as (
    select
        *,
        max(coalesce(live_to, cast('9999-12-31' as timestamp))) over (
            partition by client_id order by live_from, subscription_id
            rows between unbounded preceding and 1 preceding
        ) as previous_live_to
    from linked
),

numbered as (
    select
        *,
        sum(case when previous_live_to is null or live_from > previous_live_to then 1 else 0 end)
            over (
                partition by client_id order by live_from, subscription_id
                rows between unbounded preceding and current row
            ) as interval_number
    from ordered
),

intervals as (
    select
        client_id,
        interval_number,
        min(became_client_at) as became_client_at,
        min(live_from) as active_from,
        case when count(*) = count(live_to) then max(live_to) end as active_to,
        count(*) as subscriptions
    from numbered
    group by client_id, interval_number
)

select
    client_id,
    cast(interval_number as integer) as interval_number,
    became_client_at,
    active_from,
    active_to,
    interval_number > 1 as is_reactivation,
    cast(subscriptions as integer) as subscriptions
from intervals
