-- security_incident_rate (catalogue §2.3, §3 [d:Z], §10.5), company grain, m/q/y. Agg A: the
-- count of confirmed security incidents by detected_at (business-time date); false positives
-- and detections still under investigation (confirmed null) are excluded. 0, not null, in a
-- period with no confirmed incident once the source is loaded. The red rule that is not a
-- threshold on the count (≥ 1 confirmed high/critical incident) is is_red_override; ≥ 2 of
-- any severity is the seed red flag, so exactly one low/medium incident is yellow.
with incidents as (
    select
        cast({{ utc_to_local('detected_at') }} as date) as detected_date,
        severity in ('high', 'critical') as is_high_or_critical
    from {{ ref('stg_security__incidents') }}
    where is_confirmed
      and detected_at is not null
      and detected_at <= {{ as_of() }}
),

coverage as (
    select min(delivered_on) as first_delivery from {{ ref('stg_security__incidents') }}
),

periods as (
    select p.grain, p.period_start, p.period_end, p.is_partial
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    where p.grain in ('month', 'quarter', 'year')
      and p.period_end > c.first_delivery
),

by_period as (
    select
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial,
        count(i.detected_date) as incidents,
        count(i.detected_date) filter (where i.is_high_or_critical) as high_or_critical
    from periods as p
    left join incidents as i
        on i.detected_date >= p.period_start and i.detected_date < p.period_end
    group by p.grain, p.period_start, p.period_end, p.is_partial
)

select
    'security_incident_rate' as kpi_id,
    grain,
    'company' as entity_type,
    'all' as entity_id,
    period_start,
    period_end,
    incidents as numerator,
    cast(null as double) as denominator,
    incidents as value,
    incidents as sample_size,
    is_partial,
    false as is_provisional,
    high_or_critical >= 1 as is_red_override
from by_period
