-- sales_cycle_length (catalogue §2.3): mean dy(created_at, won_at) in fractional days over won
-- CRM opportunities, by won_at (the completing event, business time), grains m/q/y, for the
-- company and each owning sales agent (agg M: Σ days / won opportunities). Opportunities of
-- test or deleted contacts and negative cycles (won before created, a DQ failure) are excluded.
with won as (
    select
        o.owner_id,
        cast({{ utc_to_local('o.won_at') }} as date) as won_day,
        {{ dbt.datediff('o.created_at', 'o.won_at', 'second') }} / 86400.0 as cycle_days
    from {{ ref('stg_crm__opportunities') }} as o
    left join {{ ref('stg_crm__contacts') }} as c on o.lead_id = c.contact_id
    where o.won_at is not null
      and o.created_at is not null
      and o.won_at >= o.created_at
      and o.won_at <= {{ as_of() }}
      and not coalesce(c.is_test or c.is_deleted, false)
),

entities as (
    select 'company' as entity_type, 'all' as entity_id, w.* from won as w
    union all
    select 'agent', owner_id, w.* from won as w where owner_id is not null
),

periods as (
    select grain, period_start, period_end, is_partial
    from {{ ref('int_kpi_periods') }}
    where grain in ('month', 'quarter', 'year')
),

by_period as (
    select
        p.grain,
        e.entity_type,
        e.entity_id,
        p.period_start,
        p.period_end,
        p.is_partial,
        sum(e.cycle_days) as numerator,
        count(*) as denominator
    from periods as p
    inner join entities as e
        on e.won_day >= p.period_start and e.won_day < p.period_end
    group by all
)

select
    'sales_cycle_length' as kpi_id,
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
