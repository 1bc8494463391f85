-- integration_success_rate and data_processing_speed (catalogue §2.3, §3), company grain.
-- - integration_success_rate (agg R, d/w/m/q/y): successful attempts / all attempts of
--   integration_syncs by started_at × 100. Every attempt counts, retries included; an attempt
--   with a null succeeded flag leaves both counts (§10.11).
-- - data_processing_speed (agg X, d/w/m): p95 over successful syncs of the real-time
--   integrations (seed realtime_integrations), by completed_at, of minutes from
--   coalesce(source_event_at, started_at) to completed_at (stg processing_minutes),
--   recomputed from the rows at every grain (continuous quantile, DuckDB quantile_cont). A
--   negative duration is an accuracy failure and is excluded (§1.2).
with syncs as (
    select
        s.*,
        r.integration is not null as is_realtime_integration
    from {{ ref('stg_integrations__syncs') }} as s
    left join {{ ref('realtime_integrations') }} as r on s.integration = r.integration
),

coverage as (
    select min(delivered_on) as first_delivery from syncs
),

periods as (
    select p.grain, p.period_start, p.period_end, p.is_partial
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    where p.grain in ('day', 'week', 'month', 'quarter', 'year')
      and p.period_end > c.first_delivery
),

daily_attempts as (
    select
        cast({{ utc_to_local('started_at') }} as date) as started_date,
        count(*) filter (where is_succeeded) as succeeded,
        count(*) filter (where is_succeeded is not null) as attempts
    from syncs
    where started_at is not null
      and started_at <= {{ as_of() }}
    group by 1
),

success as (
    select
        p.grain,
        p.period_start,
        sum(d.succeeded) as succeeded,
        sum(d.attempts) as attempts
    from periods as p
    inner join daily_attempts as d
        on d.started_date >= p.period_start and d.started_date < p.period_end
    group by p.grain, p.period_start
),

realtime_completed as (
    select
        cast({{ utc_to_local('completed_at') }} as date) as completed_date,
        processing_minutes
    from syncs
    where is_realtime_integration
      and is_succeeded
      and completed_at is not null
      and completed_at <= {{ as_of() }}
      and processing_minutes >= 0
),

speed as (
    select
        p.grain,
        p.period_start,
        quantile_cont(r.processing_minutes, 0.95) as p95_minutes,
        count(*) as syncs
    from periods as p
    inner join realtime_completed as r
        on r.completed_date >= p.period_start and r.completed_date < p.period_end
    where p.grain in ('day', 'week', 'month')
    group by p.grain, p.period_start
)

select
    'integration_success_rate' as kpi_id,
    p.grain,
    'company' as entity_type,
    'all' as entity_id,
    p.period_start,
    p.period_end,
    coalesce(s.succeeded, 0) as numerator,
    coalesce(s.attempts, 0) as denominator,
    case when s.attempts > 0 then 100.0 * s.succeeded / s.attempts end as value,
    coalesce(s.attempts, 0) as sample_size,
    p.is_partial,
    false as is_provisional,
    false as is_red_override
from periods as p
left join success as s
    on p.grain = s.grain and p.period_start = s.period_start

union all

select
    'data_processing_speed' as kpi_id,
    p.grain,
    'company' as entity_type,
    'all' as entity_id,
    p.period_start,
    p.period_end,
    s.p95_minutes as numerator,
    cast(null as double) as denominator,
    s.p95_minutes as value,
    coalesce(s.syncs, 0) as sample_size,
    p.is_partial,
    false as is_provisional,
    false as is_red_override
from periods as p
left join speed as s
    on p.grain = s.grain and p.period_start = s.period_start
where p.grain in ('day', 'week', 'month')
