-- mrr (catalogue §2.1): sum of sub_mrr over subscriptions live at t1, company grain, every
-- time grain. Point-in-time (agg P): the numerator is the balance itself.
with subscriptions as (
    select * from {{ ref('stg_stripe__subscriptions') }}
    where not is_test
      and status not in ('incomplete', 'incomplete_expired')
),

coverage as (
    select min(delivered_on) as first_delivery from subscriptions
),

periods as (
    select p.*
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    where p.period_end > c.first_delivery
),

-- live(s, t) just before t (catalogue §1.3, §10.1): start < t <= end, trial over before t.
live as (
    select
        p.grain,
        p.period_start,
        sum(s.monthly_amount_usd) as mrr,
        count(s.subscription_id) as live_subscriptions
    from periods as p
    inner join subscriptions as s
        on s.started_at < p.evaluated_at_utc
        and coalesce(s.ended_at, cast('9999-12-31' as timestamp)) >= p.evaluated_at_utc
        and coalesce(s.trial_ended_at, s.started_at) < p.evaluated_at_utc
    group by p.grain, p.period_start
)

select
    'mrr' as kpi_id,
    p.grain,
    'company' as entity_type,
    'all' as entity_id,
    p.period_start,
    p.period_end,
    coalesce(l.mrr, 0) as numerator,
    cast(null as double) as denominator,
    coalesce(l.mrr, 0) as value,
    coalesce(l.live_subscriptions, 0) as sample_size,
    p.is_partial,
    false as is_provisional,
    false as is_red_override
from periods as p
left join live as l
    on p.grain = l.grain and p.period_start = l.period_start
