-- dispute_processing_time (catalogue §2.3, §3): mean dy(opened_at, submitted_at) in fractional
-- days over disputes by submitted_at (the completing event, in business time), at grains
-- d/w/m/q/y for the company and each specialist (employee). Agg M: numerator = Σ days,
-- denominator = number of disputes. resolved_at is never used (it is the bureau's response
-- window, not internal processing). A dispute without submitted_at is not counted; one
-- submitted before it was opened is excluded (a DQ accuracy failure, §1.2).
with disputes as (
    select
        dispute_id,
        specialist_id,
        cast({{ utc_to_local('submitted_at') }} as date) as submitted_day,
        {{ dbt.datediff('opened_at', 'submitted_at', 'second') }} / 86400.0 as processing_days
    from {{ ref('stg_disputes__disputes') }}
    where opened_at is not null
      and submitted_at is not null
      and submitted_at >= opened_at
      and submitted_at <= {{ as_of() }}
),

-- per specialist and day first, then rolled up to every grain
daily as (
    select
        specialist_id,
        submitted_day,
        sum(processing_days) as processing_days,
        count(*) as disputes
    from disputes
    group by specialist_id, submitted_day
),

entities as (
    select 'employee' as entity_type, specialist_id as entity_id, d.* from daily as d
    where specialist_id is not null
    union all
    select 'company', 'all', d.* from daily as d
),

periods as (
    select grain, period_start, period_end, is_partial
    from {{ ref('int_kpi_periods') }}
),

by_period as (
    select
        p.grain,
        e.entity_type,
        e.entity_id,
        p.period_start,
        p.period_end,
        p.is_partial,
        sum(e.processing_days) as numerator,
        sum(e.disputes) as denominator
    from periods as p
    inner join entities as e
        on e.submitted_day >= p.period_start and e.submitted_day < p.period_end
    group by all
)

select
    'dispute_processing_time' as kpi_id,
    grain,
    entity_type,
    entity_id,
    period_start,
    period_end,
    numerator,
    denominator,
    numerator / denominator as value,
    denominator as sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from by_period
