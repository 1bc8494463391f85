-- cost_per_dispute (catalogue §2.1, agg R, company grain, m/q/y): Σ gl(cogs + operating_expense)
-- on seed dispute_cost_accounts by gl date / count of disputes by opened_at (one row = one item
-- at one bureau). Only closed months with their ledger loaded count (month-end extract);
-- no dispute opened in P gives value null (no_data).
with months as (
    select * from {{ ref('int_finance__monthly_gl') }}
),

disputes_monthly as (
    select
        cast({{ dbt.date_trunc('month', utc_to_local('opened_at')) }} as date) as month_start,
        count(*) as disputes
    from {{ ref('stg_disputes__disputes') }}
    where opened_at is not null
      and opened_at <= {{ as_of() }}
    group by 1
),

periods as (
    select grain, period_start, period_end, is_partial
    from {{ ref('int_kpi_periods') }}
    where grain in ('month', 'quarter', 'year')
),

by_period as (
    select
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial,
        count(*) filter (where m.is_closed) as closed_months,
        count(*) filter (where m.is_closed and m.has_gl) as gl_months,
        sum(m.dispute_cost) filter (where m.is_closed) as dispute_cost,
        coalesce(sum(d.disputes) filter (where m.is_closed), 0) as disputes
    from periods as p
    inner join months as m
        on m.month_start >= p.period_start and m.month_start < p.period_end
    left join disputes_monthly as d on m.month_start = d.month_start
    group by p.grain, p.period_start, p.period_end, p.is_partial
),

components as (
    select
        *,
        closed_months > 0 and gl_months = closed_months as is_complete
    from by_period
)

select
    'cost_per_dispute' as kpi_id,
    grain,
    'company' as entity_type,
    'all' as entity_id,
    period_start,
    period_end,
    case when is_complete then dispute_cost end as numerator,
    case when is_complete then disputes end as denominator,
    case when is_complete and disputes > 0 then dispute_cost / disputes end as value,
    disputes as sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from components
