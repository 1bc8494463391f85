-- revenue_per_hour_worked (catalogue §2.3, §10.14): rev(P) = Σ gl_entries income (sign-normalised,
-- refunds negative) by gl date / Σ time_entries.hours_worked of all employees by work date,
-- grains m/q/y, company (agg R). The ledger is a month-end extract, so both sides count closed
-- months only: an open month has no row, and a period with a closed month whose ledger has not
-- arrived, or with rev ≤ 0, has value null (no_data).
with employee_days as (
    select * from {{ ref('int_operations__employee_days') }}
),

periods as (
    select grain, period_start, period_end, is_partial
    from {{ ref('int_kpi_periods') }}
    where grain in ('month', 'quarter', 'year')
),

-- rev(P) per month: the month's ledger counts once any line of it is loaded.
gl_months as (
    select
        cast({{ dbt.date_trunc('month', 'entry_date') }} as date) as month_start,
        sum(amount) filter (where account_type = 'income') as income
    from {{ ref('stg_quickbooks__gl_entries') }}
    where entry_date <= cast({{ utc_to_local(as_of()) }} as date)
    group by 1
),

hour_months as (
    select
        cast({{ dbt.date_trunc('month', 'work_date') }} as date) as month_start,
        sum(hours_worked) as hours_worked
    from employee_days
    group by 1
),

closed_months as (
    select
        m.period_start as month_start,
        g.month_start is not null as has_gl,
        coalesce(g.income, 0) as income,
        h.hours_worked
    from {{ ref('int_kpi_periods') }} as m
    left join gl_months as g on m.period_start = g.month_start
    left join hour_months as h on m.period_start = h.month_start
    where m.grain = 'month'
      and not m.is_partial
      and (g.month_start is not null or h.month_start is not null)
),

revenue as (
    select
        'revenue_per_hour_worked' as kpi_id,
        p.grain,
        'company' as entity_type,
        'all' as entity_id,
        p.period_start,
        p.period_end,
        p.is_partial,
        case when bool_and(m.has_gl) then sum(m.income) end as numerator,
        case when bool_and(m.has_gl) then sum(m.hours_worked) end as denominator,
        count(*) as sample_size
    from periods as p
    inner join closed_months as m
        on m.month_start >= p.period_start and m.month_start < p.period_end
    group by all
)

select
    kpi_id, grain, entity_type, entity_id, period_start, period_end,
    numerator,
    denominator,
    case when denominator > 0 and numerator > 0 then numerator / denominator end as value,
    sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from revenue
