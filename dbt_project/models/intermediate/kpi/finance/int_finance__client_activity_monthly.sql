-- active(c, t) at the month boundaries (catalogue §1.3, §10.1): per business-time month, the
-- clients (Stripe customers) with ≥1 live subscription at t0 (S: the first instant of P, so a
-- subscription ending exactly at t0 is not counted) and just before t1 (E: one ending exactly
-- at t1 still is), those lost (L = active at t0, not at t1) and those gained (N = not at t0,
-- active at t1).
-- The open month is read at as_of. Test-mode subscriptions and the clients of seed
-- excluded_client_ids never count. Read by arpc and clv (mean active clients over the 12
-- month-ends, churn_m = Σ L / Σ S). Months before the first subscription delivery are left out.
-- Stripe customers of the clients in seed excluded_client_ids (catalogue §1.2).
with excluded_customers as (
    select c.customer_key
    from {{ ref('stg_crm__contacts') }} as c
    inner join {{ ref('excluded_client_ids') }} as x on c.client_id = cast(x.client_id as varchar)
    where c.customer_key is not null
),

subscriptions as (
    select * from {{ ref('stg_stripe__subscriptions') }}
    where not is_test
      and status not in ('incomplete', 'incomplete_expired')
      and (customer_key is null
          or customer_key not in (select customer_key from excluded_customers))
),

coverage as (
    select min(delivered_on) as first_delivery from subscriptions
),

months as (
    select p.period_start as month_start, p.period_end as month_end, p.is_partial,
        p.period_start_utc, p.evaluated_at_utc
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    where p.grain = 'month' and p.period_end > c.first_delivery
),

client_states as (
    select
        m.month_start,
        s.customer_key,
        -- live(s, t0) of §1.3: start <= t0 < end, t0 >= coalesce(trial_end, start)
        bool_or(
            s.started_at <= m.period_start_utc
            and coalesce(s.ended_at, cast('9999-12-31' as timestamp)) > m.period_start_utc
            and coalesce(s.trial_ended_at, s.started_at) <= m.period_start_utc
        ) as is_active_at_start,
        -- live just before t1 (§10.1, as int_kpi_mrr): start < t1 <= end, trial over before t1
        bool_or(
            s.started_at < m.evaluated_at_utc
            and coalesce(s.ended_at, cast('9999-12-31' as timestamp)) >= m.evaluated_at_utc
            and coalesce(s.trial_ended_at, s.started_at) < m.evaluated_at_utc
        ) as is_active_at_end
    from months as m
    inner join subscriptions as s
        on s.started_at < m.evaluated_at_utc
        and coalesce(s.ended_at, cast('9999-12-31' as timestamp)) >= m.period_start_utc
    group by m.month_start, s.customer_key
),

counts as (
    select
        month_start,
        count(*) filter (where is_active_at_start) as clients_active_at_start,
        count(*) filter (where is_active_at_end) as clients_active_at_end,
        count(*) filter (where is_active_at_start and not is_active_at_end) as clients_lost,
        count(*) filter (where not is_active_at_start and is_active_at_end) as clients_gained
    from client_states
    group by month_start
)

select
    m.month_start,
    m.month_end,
    not m.is_partial as is_closed,
    coalesce(c.clients_active_at_start, 0) as clients_active_at_start,
    coalesce(c.clients_active_at_end, 0) as clients_active_at_end,
    coalesce(c.clients_lost, 0) as clients_lost,
    coalesce(c.clients_gained, 0) as clients_gained
from months as m
left join counts as c on m.month_start = c.month_start
