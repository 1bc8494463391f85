-- feature_adoption_rate and mobile_app_usage_rate (catalogue §2.3), company grain, m/q. Agg X:
-- distinct clients, recomputed from the events at every grain.
-- The population is active_during(P) (§1.3): CRM clients (test, deleted and seed-excluded
-- clients left out) with a live subscription at some instant of P, read from
-- int_clients__activity (active just before t iff active_from < t <= active_to), so a client is
-- active during [t0, t1) iff active_from < t1 and active_to > t0. Events count by used_at
-- (business-time date), only for clients of the population.
-- - feature_adoption_rate: Σ over the features f of seed tracked_features of |active clients
--   using f in P| / (number of tracked features × |active clients|) × 100, the equal-weight
--   mean of the per-feature adoption rates.
-- - mobile_app_usage_rate: |active clients with a mobile session in P| / |active clients| × 100.
-- Each KPI reads P up to as_of and up to the end of the last day its usage export has delivered
-- (the exports are daily, so a day not delivered yet is late data, not a day without use): the
-- population is taken over the same window as the events. A KPI has rows from its export's
-- first delivery on, and none for periods that start after its last delivery.
with activity as (
    select client_id, active_from, active_to from {{ ref('int_clients__activity') }}
),

tracked_features as (
    select feature from {{ ref('tracked_features') }}
),

events as (
    select
        'feature_adoption_rate' as kpi_id,
        cast({{ utc_to_local('u.used_at') }} as date) as used_date,
        u.client_id,
        u.feature
    from {{ ref('stg_product__feature_usage') }} as u
    inner join tracked_features as f on u.feature = f.feature
    where u.used_at is not null
      and u.used_at <= {{ as_of() }}
    union all
    select
        'mobile_app_usage_rate',
        cast({{ utc_to_local('used_at') }} as date),
        client_id,
        'mobile_app'
    from {{ ref('stg_product__mobile_usage') }}
    where used_at is not null
      and used_at <= {{ as_of() }}
),

deliveries as (
    select 'feature_adoption_rate' as kpi_id, min(delivered_on) as first_delivery,
        max(delivered_on) as last_delivery
    from {{ ref('stg_product__feature_usage') }}
    union all
    select 'mobile_app_usage_rate', min(delivered_on), max(delivered_on)
    from {{ ref('stg_product__mobile_usage') }}
),

periods as (
    select
        d.kpi_id,
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial,
        p.period_start_utc as window_from,
        least(
            p.evaluated_at_utc,
            {{ local_to_utc(dbt.dateadd('day', 1, 'd.last_delivery')) }}
        ) as window_to,
        least(p.period_end, cast({{ dbt.dateadd('day', 1, 'd.last_delivery') }} as date))
            as date_to
    from {{ ref('int_kpi_periods') }} as p
    inner join deliveries as d
        on p.period_end > d.first_delivery
        and p.period_start <= d.last_delivery
    where p.grain in ('month', 'quarter')
),

active_clients as (
    select distinct p.kpi_id, p.grain, p.period_start, a.client_id
    from periods as p
    inner join activity as a
        on a.active_from < p.window_to
        and coalesce(a.active_to, cast('9999-12-31' as timestamp)) > p.window_from
),

population as (
    select kpi_id, grain, period_start, count(*) as active_clients
    from active_clients
    group by kpi_id, grain, period_start
),

-- Distinct (feature, client) pairs per period; for mobile the feature is a constant.
users as (
    select distinct p.kpi_id, p.grain, p.period_start, e.feature, e.client_id
    from periods as p
    inner join events as e
        on e.kpi_id = p.kpi_id
        and e.used_date >= p.period_start
        and e.used_date < p.date_to
),

adopters as (
    select u.kpi_id, u.grain, u.period_start, count(*) as client_features
    from users as u
    inner join active_clients as a
        on u.kpi_id = a.kpi_id and u.grain = a.grain and u.period_start = a.period_start
        and u.client_id = a.client_id
    group by u.kpi_id, u.grain, u.period_start
),

components as (
    select
        p.kpi_id,
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial,
        coalesce(u.client_features, 0) as numerator,
        case p.kpi_id
            when 'feature_adoption_rate' then (select count(*) from tracked_features)
            else 1
        end * coalesce(n.active_clients, 0) as denominator,
        coalesce(n.active_clients, 0) as sample_size
    from periods as p
    left join population as n
        on p.kpi_id = n.kpi_id and p.grain = n.grain and p.period_start = n.period_start
    left join adopters as u
        on p.kpi_id = u.kpi_id and p.grain = u.grain and p.period_start = u.period_start
)

select
    kpi_id,
    grain,
    'company' as entity_type,
    'all' as entity_id,
    period_start,
    period_end,
    numerator,
    denominator,
    case when denominator > 0 then 100.0 * numerator / denominator end as value,
    sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from components
