-- Production KPIs (catalogue §2.3, GAP §3D), company grain, time grains m/w/q/y:
--   production_delay_days         mean of max(0, dy(scheduled_end, actual_end)) over finished
--                                 jobs by actual_end (agg M); early jobs count as 0
--   on_time_delivery_rate         count(actual_end ≤ scheduled_end) / jobs by scheduled_end, once
--                                 scheduled_end ≤ as_of (§10.10, §10.18); a job still open past
--                                 its schedule is late (agg R)
--   production_quality_pass_rate  count(quality_passed) / count(quality_passed not null) over
--                                 finished jobs by actual_end (agg R, §10.11)
with jobs as (
    select * from {{ ref('stg_production__jobs') }}
),

finished as (
    select
        cast({{ utc_to_local('actual_end_at') }} as date) as period_day,
        greatest(delay_days, 0) as delay_days,
        quality_passed
    from jobs
    where actual_end_at is not null
      and scheduled_end_at is not null
      and actual_end_at <= {{ as_of() }}
),

due as (
    select
        cast({{ utc_to_local('scheduled_end_at') }} as date) as period_day,
        actual_end_at is not null and actual_end_at <= scheduled_end_at as is_on_time
    from jobs
    where scheduled_end_at is not null
      and scheduled_end_at <= {{ as_of() }}
),

facts as (
    select 'production_delay_days' as kpi_id, period_day, delay_days as num, 1.0 as den
    from finished
    union all
    select 'production_quality_pass_rate', period_day,
        case when quality_passed then 1.0 else 0.0 end, 1.0
    from finished
    where quality_passed is not null
    union all
    select 'on_time_delivery_rate', period_day,
        case when is_on_time then 1.0 else 0.0 end, 1.0
    from due
),

periods as (
    select grain, period_start, period_end, is_partial
    from {{ ref('int_kpi_periods') }}
    where grain in ('week', 'month', 'quarter', 'year')
),

by_period as (
    select
        f.kpi_id,
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial,
        sum(f.num) as numerator,
        sum(f.den) as denominator
    from periods as p
    inner join facts as f
        on f.period_day >= p.period_start and f.period_day < p.period_end
    group by all
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
    case
        when kpi_id = 'production_delay_days' then numerator / denominator
        else 100.0 * numerator / denominator
    end as value,
    cast(denominator as bigint) as sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from by_period
