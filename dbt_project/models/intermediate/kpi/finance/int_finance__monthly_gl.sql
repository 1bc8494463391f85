-- gl(T, P) by month (catalogue §1.3): Σ sign-normalised gl_entries.amount per account type over
-- the business-time months the QuickBooks ledger covers, plus the cost sets of seeds
-- sales_cost_accounts (cac) and dispute_cost_accounts (cost_per_dispute). One row per month
-- from the first ledger delivery on, whether or not the month's ledger has arrived (has_gl):
-- the ledger is a month-end extract, so only closed months (is_closed) are ever complete and
-- the finance KPIs read closed months only.
with entries as (
    select * from {{ ref('stg_quickbooks__gl_entries') }}
    where entry_date <= cast({{ utc_to_local(as_of()) }} as date)
),

sales_cost_accounts as (
    select cast(account_id as varchar) as account_id from {{ ref('sales_cost_accounts') }}
),

dispute_cost_accounts as (
    select cast(account_id as varchar) as account_id from {{ ref('dispute_cost_accounts') }}
),

coverage as (
    select min(delivered_on) as first_delivery from entries
),

months as (
    select p.period_start as month_start, p.period_end as month_end, p.is_partial
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    where p.grain = 'month' and p.period_end > c.first_delivery
),

monthly as (
    select
        cast({{ dbt.date_trunc('month', 'e.entry_date') }} as date) as month_start,
        count(*) as gl_lines,
        sum(e.amount) filter (where e.account_type = 'income') as income,
        sum(e.amount) filter (where e.account_type = 'cogs') as cogs,
        sum(e.amount) filter (where e.account_type = 'operating_expense') as operating_expense,
        sum(e.amount) filter (where e.account_type = 'depreciation') as depreciation,
        sum(e.amount) filter (where e.account_type = 'interest') as interest,
        sum(e.amount) filter (where e.account_type = 'tax') as tax,
        sum(e.amount) filter (
            where s.account_id is not null and e.account_type = 'operating_expense'
        ) as sales_cost,
        sum(e.amount) filter (
            where d.account_id is not null and e.account_type in ('cogs', 'operating_expense')
        ) as dispute_cost
    from entries as e
    left join sales_cost_accounts as s on cast(e.account_id as varchar) = s.account_id
    left join dispute_cost_accounts as d on cast(e.account_id as varchar) = d.account_id
    group by 1
)

select
    m.month_start,
    m.month_end,
    cast({{ dbt.datediff('m.month_start', 'm.month_end', 'day') }} as integer) as days_in_month,
    not m.is_partial as is_closed,
    g.month_start is not null as has_gl,
    coalesce(g.gl_lines, 0) as gl_lines,
    -- amounts are null where the month's ledger has not arrived
    case when g.month_start is not null then coalesce(g.income, 0) end as income,
    case when g.month_start is not null then coalesce(g.cogs, 0) end as cogs,
    case when g.month_start is not null then coalesce(g.operating_expense, 0) end
        as operating_expense,
    case when g.month_start is not null then coalesce(g.depreciation, 0) end as depreciation,
    case when g.month_start is not null then coalesce(g.interest, 0) end as interest,
    case when g.month_start is not null then coalesce(g.tax, 0) end as tax,
    case when g.month_start is not null then coalesce(g.sales_cost, 0) end as sales_cost,
    case when g.month_start is not null then coalesce(g.dispute_cost, 0) end as dispute_cost
from months as m
left join monthly as g on m.month_start = g.month_start
