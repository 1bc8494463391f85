-- Trailing-twelve-month KPIs (catalogue §2.1, agg X, company grain, m/q/y), each recomputed at
-- its period end t1 from the monthly GL, client activity and headcount:
--   annual_revenue_growth_rate = (rev(T12M(t1)) − rev(the 12 months before)) / rev(before) ×100
--     (needs 24 loaded months of GL; at y this is the fiscal year against the one before);
--   arpc = rev(T12M) / mean active clients over the 12 month-ends;
--   revenue_per_employee = rev(T12M) / mean hc over the 12 month-ends;
--   clv = (rev(T12M) / 12 / mean active clients) × (gross margin over T12M / 100) / churn_m,
--     churn_m = Σ L / Σ S over the 12 months.
-- Every month of the window must be closed with its ledger loaded (an open period's T12M is
-- not yet complete: value null); revenue ≤ 0 gives null (§10.14, §10.21), as does churn_m = 0.
with months as (
    select * from {{ ref('int_finance__monthly_gl') }}
),

activity as (
    select * from {{ ref('int_finance__client_activity_monthly') }}
),

employees as (
    select hire_date, termination_date from {{ ref('stg_hr__employees') }}
    where hire_date is not null
),

hr_loaded as (
    select count(*) > 0 as is_hr_loaded from employees
),

-- hc(d) at each month end d = the month's last day (catalogue §1.3).
headcount as (
    select
        m.month_start,
        count(e.hire_date) as headcount,
        bool_and(l.is_hr_loaded) as is_hr_loaded
    from months as m
    cross join hr_loaded as l
    left join employees as e
        on e.hire_date <= cast({{ dbt.last_day('m.month_start', 'month') }} as date)
        and coalesce(e.termination_date, cast('9999-12-31' as date))
            >= cast({{ dbt.last_day('m.month_start', 'month') }} as date)
    group by m.month_start
),

monthly as (
    select
        m.month_start,
        m.is_closed and m.has_gl as is_loaded,
        m.income,
        m.cogs,
        case when a.is_closed then a.clients_active_at_end end as clients_active_at_end,
        case when a.is_closed then a.clients_active_at_start end as clients_active_at_start,
        case when a.is_closed then a.clients_lost end as clients_lost,
        case when h.is_hr_loaded and m.is_closed then h.headcount end as headcount
    from months as m
    left join activity as a on m.month_start = a.month_start
    left join headcount as h on m.month_start = h.month_start
),

periods as (
    select grain, period_start, period_end, is_partial
    from {{ ref('int_kpi_periods') }}
    where grain in ('month', 'quarter', 'year')
),

windows as (
    select
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial,
        m.*,
        m.month_start >= cast({{ dbt.dateadd('month', -12, 'p.period_end') }} as date)
            as is_t12m
    from periods as p
    inner join monthly as m
        on m.month_start >= cast({{ dbt.dateadd('month', -24, 'p.period_end') }} as date)
        and m.month_start < p.period_end
),

by_period as (
    select
        grain,
        period_start,
        period_end,
        is_partial,
        count(*) filter (where is_t12m and is_loaded) as t12m_months,
        count(*) filter (where not is_t12m and is_loaded) as prior_months,
        sum(income) filter (where is_t12m) as rev_t12m,
        sum(income) filter (where not is_t12m) as rev_prior,
        sum(cogs) filter (where is_t12m) as cogs_t12m,
        avg(clients_active_at_end) filter (where is_t12m) as mean_active_clients,
        count(clients_active_at_end) filter (where is_t12m) as activity_months,
        avg(headcount) filter (where is_t12m) as mean_headcount,
        count(headcount) filter (where is_t12m) as headcount_months,
        sum(clients_lost) filter (where is_t12m) as clients_lost,
        sum(clients_active_at_start) filter (where is_t12m) as clients_at_start
    from windows
    group by grain, period_start, period_end, is_partial
    -- periods that hold at least one month of their own
    having count(*) filter (where is_t12m and month_start >= period_start) > 0
),

measures as (
    select
        *,
        case when t12m_months = 12 and rev_t12m > 0 then rev_t12m end as rev,
        case when t12m_months = 12 and prior_months = 12 and rev_prior > 0
            then rev_prior end as rev_before,
        case when activity_months = 12 and mean_active_clients > 0
            then mean_active_clients end as active_clients,
        case when headcount_months = 12 and mean_headcount > 0 then mean_headcount end as hc,
        case when activity_months = 12 and clients_at_start > 0
            then 1.0 * clients_lost / clients_at_start end as churn_m
    from by_period
),

components as (
    select 'annual_revenue_growth_rate' as kpi_id, grain, period_start, period_end, is_partial,
        case when rev_before is not null then rev_t12m - rev_prior end as numerator,
        rev_before as denominator,
        100.0 * (rev - rev_before) / rev_before as value,
        t12m_months + prior_months as sample_size
    from measures
    union all
    select 'arpc', grain, period_start, period_end, is_partial,
        rev, active_clients, rev / active_clients, activity_months
    from measures
    union all
    select 'revenue_per_employee', grain, period_start, period_end, is_partial,
        rev, hc, rev / hc, headcount_months
    from measures
    union all
    -- numerator: monthly gross profit per active client; denominator: monthly churn
    select 'clv', grain, period_start, period_end, is_partial,
        rev / 12 / active_clients * ((rev - cogs_t12m) / rev),
        churn_m,
        case when churn_m > 0
            then rev / 12 / active_clients * ((rev - cogs_t12m) / rev) / churn_m end,
        activity_months
    from measures
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
    value,
    sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from components
