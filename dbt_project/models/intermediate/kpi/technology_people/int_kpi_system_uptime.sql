-- system_uptime (catalogue §2.3, §10.16): (1 − downtime / available minutes) × 100 over the
-- systems of seed critical_systems, company grain, d/w/m/q/y. Agg R: numerator = minutes up,
-- denominator = minutes available, both summed over the critical systems.
-- - downtime: incident minutes on a critical system overlapping P, clipped to P (and to as_of
--   in the open period), with overlapping incidents of the same system merged first;
-- - an incident still open runs to as_of; a resolved one without ended_at runs minutes_down
--   from its start ("minutes_down goes to the start date");
-- - approved seed maintenance_windows are removed from both the downtime and the available
--   minutes of their system.
-- Periods start at the first monitoring delivery; minutes before it are not counted.
with critical_systems as (
    select system from {{ ref('critical_systems') }}
),

incidents as (
    select
        i.system,
        i.started_at,
        coalesce(
            i.ended_at,
            case when i.minutes_down is not null
                then {{ dbt.dateadd('minute', 'i.minutes_down', 'i.started_at') }} end,
            {{ as_of() }}
        ) as ended_at
    from {{ ref('stg_uptime__incidents') }} as i
    inner join critical_systems as c on i.system = c.system
    where i.started_at is not null
      and i.started_at < {{ as_of() }}
),

-- Merge overlapping incidents of a system (islands over the running maximum end).
incident_islands as (
    select
        *,
        sum(case when previous_end is null or started_at > previous_end then 1 else 0 end)
            over (partition by system order by started_at, ended_at
                  rows between unbounded preceding and current row) as island
    from (
        select
            *,
            max(ended_at) over (partition by system order by started_at, ended_at
                                rows between unbounded preceding and 1 preceding) as previous_end
        from incidents
        where ended_at > started_at
    )
),

downtime as (
    select system, min(started_at) as down_from, max(ended_at) as down_to
    from incident_islands
    group by system, island
),

maintenance as (
    select
        m.system,
        {{ local_to_utc('m.starts_at') }} as starts_at,
        {{ local_to_utc('m.ends_at') }} as ends_at
    from {{ ref('maintenance_windows') }} as m
    inner join critical_systems as c on m.system = c.system
    where m.is_approved and m.ends_at > m.starts_at
),

maintenance_islands as (
    select
        *,
        sum(case when previous_end is null or starts_at > previous_end then 1 else 0 end)
            over (partition by system order by starts_at, ends_at
                  rows between unbounded preceding and current row) as island
    from (
        select
            *,
            max(ends_at) over (partition by system order by starts_at, ends_at
                               rows between unbounded preceding and 1 preceding) as previous_end
        from maintenance
    )
),

maintenance_merged as (
    select system, min(starts_at) as starts_at, max(ends_at) as ends_at
    from maintenance_islands
    group by system, island
),

-- Downtime inside a maintenance window (both sets are disjoint per system, so their pairwise
-- intersections are disjoint too) is taken back out of the downtime.
downtime_in_maintenance as (
    select
        d.system,
        greatest(d.down_from, m.starts_at) as down_from,
        least(d.down_to, m.ends_at) as down_to
    from downtime as d
    inner join maintenance_merged as m
        on d.system = m.system and d.down_from < m.ends_at and m.starts_at < d.down_to
),

coverage as (
    select {{ local_to_utc('min(delivered_on)') }} as covered_from
    from (
        select delivered_on from {{ ref('stg_uptime__checks') }}
        union all
        select delivered_on from {{ ref('stg_uptime__incidents') }}
    )
),

periods as (
    select
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial,
        greatest(p.period_start_utc, c.covered_from) as window_from,
        p.evaluated_at_utc as window_to
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    where p.grain in ('day', 'week', 'month', 'quarter', 'year')
      and p.evaluated_at_utc > c.covered_from
),

intervals as (
    select 'down' as kind, system, down_from as from_at, down_to as to_at from downtime
    union all
    select 'down_in_maintenance', system, down_from, down_to from downtime_in_maintenance
    union all
    select 'maintenance', system, starts_at, ends_at from maintenance_merged
),

-- Seconds of each interval inside each period window (clipped to t0 and to t1 or as_of).
clipped_intervals as (
    select
        p.grain,
        p.period_start,
        i.kind,
        epoch(least(i.to_at, p.window_to)) - epoch(greatest(i.from_at, p.window_from)) as seconds
    from periods as p
    inner join intervals as i
        on i.from_at < p.window_to and i.to_at > p.window_from
),

clipped as (
    select
        grain,
        period_start,
        sum(seconds) filter (where kind = 'down') / 60.0 as down_minutes,
        sum(seconds) filter (where kind = 'down_in_maintenance') / 60.0
            as down_in_maintenance_minutes,
        sum(seconds) filter (where kind = 'maintenance') / 60.0 as maintenance_minutes,
        count(*) filter (where kind = 'down') as outages
    from clipped_intervals
    group by grain, period_start
),

components as (
    select
        p.*,
        (select count(*) from critical_systems)
            * (epoch(p.window_to) - epoch(p.window_from)) / 60.0
            - coalesce(c.maintenance_minutes, 0) as available_minutes,
        coalesce(c.down_minutes, 0) - coalesce(c.down_in_maintenance_minutes, 0)
            as downtime_minutes,
        coalesce(c.outages, 0) as outages
    from periods as p
    left join clipped as c
        on p.grain = c.grain and p.period_start = c.period_start
)

select
    'system_uptime' as kpi_id,
    grain,
    'company' as entity_type,
    'all' as entity_id,
    period_start,
    period_end,
    available_minutes - downtime_minutes as numerator,
    available_minutes as denominator,
    case when available_minutes > 0
        then 100.0 * (available_minutes - downtime_minutes) / available_minutes end as value,
    outages as sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from components
