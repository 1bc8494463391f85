-- One row per CRM client (a contact with became_client_at, catalogue §1.3), pseudonymised: no
-- names, emails, phones or raw Stripe ids, only the staging keys (contact_id, client_id and the
-- salted customer_key). Lead source and its marketing channel (seed lead_source_channel_map),
-- the client-success manager (latest onboarding) and dispute specialist (the one who opened
-- most of the client's disputes, the latest on a tie), and the activity history from
-- int_clients__activity: first live subscription, first end of activity (churned_at, §1.3
-- churn_at), reactivation and whether the client is active at as_of.
with contacts as (
    select *
    from {{ ref('stg_crm__contacts') }}
    where client_id is not null
      and became_client_at is not null
),

excluded as (
    select * from {{ ref('int_clients__excluded') }}
),

channels as (
    select * from {{ ref('lead_source_channel_map') }}
),

csms as (
    select client_id, csm_id
    from {{ ref('stg_onboarding__onboardings') }}
    where csm_id is not null
    qualify row_number() over (
        partition by client_id order by contract_signed_at desc
    ) = 1
),

specialists as (
    select client_id, specialist_id
    from {{ ref('stg_disputes__disputes') }}
    where specialist_id is not null
    group by client_id, specialist_id
    qualify row_number() over (
        partition by client_id order by count(*) desc, max(opened_at) desc, specialist_id
    ) = 1
),

activity as (
    select
        client_id,
        min(active_from) as first_active_at,
        min(active_to) filter (where interval_number = 1) as churned_at,
        count(*) > 1 as is_reactivated,
        coalesce(bool_or(
            active_from < {{ as_of() }}
            and coalesce(active_to, cast('9999-12-31' as timestamp)) >= {{ as_of() }}
        ), false) as is_active_now
    from {{ ref('int_clients__activity') }}
    group by client_id
)

select
    -- keys
    cast(c.client_id as varchar) as client_id,
    cast(c.contact_id as varchar) as contact_id,
    cast(c.customer_key as varchar) as customer_key,
    -- acquisition
    cast(c.became_client_at as timestamp) as became_client_at,
    cast({{ utc_to_local('c.became_client_at') }} as date) as became_client_on,
    cast(c.lead_source as varchar) as lead_source,
    cast(ch.channel as varchar) as channel,
    cast(ch.is_marketing as boolean) as is_marketing_sourced,
    -- assigned staff (employee ids)
    cast(m.csm_id as varchar) as csm_id,
    cast(s.specialist_id as varchar) as specialist_id,
    -- goal
    cast(c.goal_score as integer) as goal_score,
    cast(c.goal_achieved_at as timestamp) as goal_achieved_at,
    -- activity
    cast(a.first_active_at as timestamp) as first_active_at,
    cast(a.churned_at as timestamp) as churned_at,
    cast(coalesce(a.is_reactivated, false) as boolean) as is_reactivated,
    cast(coalesce(a.is_active_now, false) as boolean) as is_active_now,
    -- exclusion (catalogue §1.2)
    cast(c.is_test or c.is_deleted or e.client_id is not null as boolean) as is_excluded
from contacts as c
left join excluded as e on c.client_id = e.client_id
left join channels as ch on c.lead_source = ch.lead_source
left join csms as m on c.client_id = m.client_id
left join specialists as s on c.client_id = s.client_id
left join activity as a on c.client_id = a.client_id
