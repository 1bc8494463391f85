-- dialer_correction_time (catalogue §2.3, §6): mean minutes from a dialer trigger's fired_at to
-- the completed_at of its linked corrective action (the re-entry), by completed_at in business
-- time, d/w/m for each agent and the company. Agg M: numerator = Σ minutes, denominator = number
-- of corrected firings. Firings whose action is not completed by as_of are not yet counted.
with corrected as (
    select
        agent_id,
        cast({{ utc_to_local('re_entry_at') }} as date) as re_entry_day,
        correction_minutes
    from {{ ref('int_operations__dialer_trigger_firings') }}
    where re_entry_at is not null
      and correction_minutes >= 0
),

periods as (
    select grain, period_start, period_end, is_partial
    from {{ ref('int_kpi_periods') }}
    where grain in ('day', 'week', 'month')
),

entities as (
    select 'agent' as entity_type, agent_id as entity_id, c.* from corrected as c
    union all
    select 'company', 'all', c.* from corrected as c
),

by_period as (
    select
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial,
        e.entity_type,
        e.entity_id,
        sum(e.correction_minutes) as total_minutes,
        count(*) as corrections
    from periods as p
    inner join entities as e
        on e.re_entry_day >= p.period_start and e.re_entry_day < p.period_end
    group by all
)

select
    'dialer_correction_time' as kpi_id,
    grain,
    entity_type,
    entity_id,
    period_start,
    period_end,
    total_minutes as numerator,
    corrections as denominator,
    total_minutes / corrections as value,
    corrections as sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from by_period
