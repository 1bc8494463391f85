-- gross_profit_margin, net_profit_margin, ebitda_margin and operating_expense_ratio
-- (catalogue §2.1): GL ratios over rev(P) by gl date, company grain, m/q/y. Agg R: numerator
-- and denominator are the period's GL sums, recomputed from the monthly GL at every grain.
-- Only closed months count (the ledger is a month-end extract); a period whose closed months
-- are not all loaded, or whose revenue is ≤ 0 (§10.14), has value null (no_data).
with months as (
    select * from {{ ref('int_finance__monthly_gl') }}
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
        sum(m.gl_lines) filter (where m.is_closed) as gl_lines,
        sum(m.income) filter (where m.is_closed) as rev,
        sum(m.cogs) filter (where m.is_closed) as cogs,
        sum(m.operating_expense) filter (where m.is_closed) as opex,
        sum(m.depreciation) filter (where m.is_closed) as depreciation,
        sum(m.interest) filter (where m.is_closed) as interest,
        sum(m.tax) filter (where m.is_closed) as tax
    from periods as p
    inner join months as m
        on m.month_start >= p.period_start and m.month_start < p.period_end
    group by p.grain, p.period_start, p.period_end, p.is_partial
),

complete as (
    select
        *,
        closed_months > 0 and gl_months = closed_months as is_complete
    from by_period
),

components as (
    select 'gross_profit_margin' as kpi_id, c.*, rev - cogs as num from complete as c
    union all
    select 'net_profit_margin', c.*, rev - cogs - opex - depreciation - interest - tax
    from complete as c
    union all
    select 'ebitda_margin', c.*, rev - cogs - opex from complete as c
    union all
    select 'operating_expense_ratio', c.*, opex from complete as c
)

select
    kpi_id,
    grain,
    'company' as entity_type,
    'all' as entity_id,
    period_start,
    period_end,
    case when is_complete then num end as numerator,
    case when is_complete then rev end as denominator,
    case when is_complete and rev > 0 then 100.0 * num / rev end as value,
    gl_lines as sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from components
