-- system_response_time and api_availability (catalogue §2.3, §3), company grain, d/w/m, API
-- gateway requests by requested_at (business-time date).
-- - system_response_time (agg X): p95(latency_ms) / 1000 in seconds, recomputed from the rows
--   at every grain. Seed health_check_endpoints are excluded; a null or negative latency is an
--   accuracy failure and is excluded (§1.2). p95 is the continuous quantile (linear
--   interpolation between the two nearest ranks, DuckDB quantile_cont). The mean is shown for
--   information only and is not a component.
-- - api_availability (agg R): requests with status < 500 / all requests × 100; a null status
--   (timeout) is a failure and 4xx responses count as available (stg is_available). Every
--   request counts, health-check probes included: the formula is over all api_requests.
with requests as (
    select
        cast({{ utc_to_local('r.requested_at') }} as date) as request_date,
        r.latency_ms,
        r.is_available,
        h.endpoint is not null as is_health_check
    from {{ ref('stg_api__requests') }} as r
    left join {{ ref('health_check_endpoints') }} as h on r.endpoint = h.endpoint
    where r.requested_at is not null
      and r.requested_at <= {{ as_of() }}
),

coverage as (
    select min(delivered_on) as first_delivery from {{ ref('stg_api__requests') }}
),

periods as (
    select p.grain, p.period_start, p.period_end, p.is_partial
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    where p.grain in ('day', 'week', 'month')
      and p.period_end > c.first_delivery
),

latency as (
    select
        p.grain,
        p.period_start,
        quantile_cont(r.latency_ms, 0.95) / 1000.0 as p95_seconds,
        count(*) as timed_requests
    from periods as p
    inner join requests as r
        on r.request_date >= p.period_start and r.request_date < p.period_end
    where not r.is_health_check
      and r.latency_ms >= 0
    group by p.grain, p.period_start
),

daily_availability as (
    select
        request_date,
        count(*) filter (where is_available) as available,
        count(*) as requests
    from requests
    group by request_date
),

availability as (
    select
        p.grain,
        p.period_start,
        sum(d.available) as available,
        sum(d.requests) as requests
    from periods as p
    inner join daily_availability as d
        on d.request_date >= p.period_start and d.request_date < p.period_end
    group by p.grain, p.period_start
)

select
    'system_response_time' as kpi_id,
    p.grain,
    'company' as entity_type,
    'all' as entity_id,
    p.period_start,
    p.period_end,
    l.p95_seconds as numerator,
    cast(null as double) as denominator,
    l.p95_seconds as value,
    coalesce(l.timed_requests, 0) as sample_size,
    p.is_partial,
    false as is_provisional,
    false as is_red_override
from periods as p
left join latency as l
    on p.grain = l.grain and p.period_start = l.period_start

union all

select
    'api_availability' as kpi_id,
    p.grain,
    'company' as entity_type,
    'all' as entity_id,
    p.period_start,
    p.period_end,
    coalesce(a.available, 0) as numerator,
    coalesce(a.requests, 0) as denominator,
    case when a.requests > 0 then 100.0 * a.available / a.requests end as value,
    coalesce(a.requests, 0) as sample_size,
    p.is_partial,
    false as is_provisional,
    false as is_red_override
from periods as p
left join availability as a
    on p.grain = a.grain and p.period_start = a.period_start
