-- dso, ar_turnover, cash_conversion_cycle (agg X), working_capital_ratio (agg P) and
-- operating_cash_flow (agg A), catalogue §2.1, company grain, m/q/y, from the closed months'
-- GL (int_finance__monthly_gl) and the month-end balance snapshots.
--   avgAR(P) = mean AR over the month-end snapshot before t0 and each month-end snapshot in P;
--   avgAP(P) likewise; days(P) = calendar days of P's closed months.
--   dso = avgAR / rev × days;  ar_turnover = rev × 365 / days / avgAR;
--   ccc = dso − dpo, dpo = avgAP / (cogs + opex) × days (dpo = 0 when AP is not loaded);
--   working_capital_ratio = current_assets / current_liabilities at the last month end of P;
--   operating_cash_flow = NI + depreciation − ΔAR − Δ(other current assets) + Δcurrent
--   liabilities, Δ = last month end of P − month end before t0.
-- A period needs the ledger of every closed month and (for averages and Δ) every snapshot from
-- the month end before t0 on; otherwise, or when revenue ≤ 0 (§10.14, §10.21), value is null.
with months as (
    select * from {{ ref('int_finance__monthly_gl') }}
),

snapshots as (
    select
        cast({{ dbt.date_trunc('month', 'snapshot_date') }} as date) as month_start,
        snapshot_date,
        cash,
        accounts_receivable,
        current_assets,
        current_liabilities,
        accounts_payable,
        other_current_assets
    from {{ ref('stg_quickbooks__balance_snapshots') }}
    where snapshot_date <= cast({{ utc_to_local(as_of()) }} as date)
      -- month-end snapshots only
      and snapshot_date = cast({{ dbt.last_day('snapshot_date', 'month') }} as date)
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
        count(s.month_start) filter (where m.is_closed) as snapshot_months,
        max(m.month_start) filter (where m.is_closed) as last_closed_month,
        sum(m.days_in_month) filter (where m.is_closed) as days,
        sum(m.gl_lines) filter (where m.is_closed) as gl_lines,
        sum(m.income) filter (where m.is_closed) as rev,
        sum(m.cogs) filter (where m.is_closed) as cogs,
        sum(m.operating_expense) filter (where m.is_closed) as opex,
        sum(m.depreciation) filter (where m.is_closed) as depreciation,
        sum(m.interest) filter (where m.is_closed) as interest,
        sum(m.tax) filter (where m.is_closed) as tax,
        sum(s.accounts_receivable) filter (where m.is_closed) as ar_sum,
        sum(s.accounts_payable) filter (where m.is_closed) as ap_sum,
        count(s.accounts_payable) filter (where m.is_closed) as ap_months
    from periods as p
    inner join months as m
        on m.month_start >= p.period_start and m.month_start < p.period_end
    left join snapshots as s on m.month_start = s.month_start
    group by p.grain, p.period_start, p.period_end, p.is_partial
),

with_balances as (
    select
        b.*,
        prev.accounts_receivable as ar_before,
        prev.accounts_payable as ap_before,
        prev.current_liabilities as cl_before,
        prev.other_current_assets as other_before,
        last.accounts_receivable as ar_last,
        last.current_assets as ca_last,
        last.current_liabilities as cl_last,
        last.other_current_assets as other_last,
        b.closed_months > 0 and b.gl_months = b.closed_months as is_gl_complete,
        b.closed_months > 0 and b.snapshot_months = b.closed_months
            and prev.month_start is not null as is_balance_complete
    from by_period as b
    left join snapshots as prev
        on prev.month_start = cast({{ dbt.dateadd('month', -1, 'b.period_start') }} as date)
    left join snapshots as last
        on last.month_start = b.last_closed_month
),

measures as (
    select
        *,
        case when is_balance_complete
            then (ar_before + ar_sum) / (1 + snapshot_months) end as avg_ar,
        -- accounts_payable is optional (catalogue §9): not loaded → dpo = 0
        case when is_balance_complete and ap_before is not null and ap_months = snapshot_months
            then (ap_before + ap_sum) / (1 + snapshot_months) end as avg_ap,
        case when is_gl_complete and rev > 0 then rev end as positive_rev
    from with_balances
),

ratios as (
    select
        *,
        positive_rev / days as daily_rev,
        avg_ar / (positive_rev / days) as dso,
        case
            when avg_ar is null or positive_rev is null then null
            when avg_ap is null then 0
            when cogs + opex > 0 then avg_ap / (cogs + opex) * days
        end as dpo
    from measures
),

components as (
    select 'dso' as kpi_id, grain, period_start, period_end, is_partial, gl_lines,
        avg_ar as numerator, daily_rev as denominator, dso as value
    from ratios
    union all
    select 'ar_turnover', grain, period_start, period_end, is_partial, gl_lines,
        positive_rev * 365.0 / days, avg_ar,
        case when avg_ar > 0 then positive_rev * 365.0 / days / avg_ar end
    from ratios
    union all
    select 'cash_conversion_cycle', grain, period_start, period_end, is_partial, gl_lines,
        dso, dpo, dso - dpo
    from ratios
    union all
    select 'working_capital_ratio', grain, period_start, period_end, is_partial,
        snapshot_months,
        ca_last, cl_last,
        case when cl_last > 0 then ca_last / cl_last end
    from ratios
    union all
    select 'operating_cash_flow', grain, period_start, period_end, is_partial, gl_lines,
        ocf, cast(null as double), ocf
    from (
        select
            *,
            case when is_gl_complete and is_balance_complete then
                (rev - cogs - opex - depreciation - interest - tax)
                + depreciation
                - (ar_last - ar_before)
                - (other_last - other_before)
                + (cl_last - cl_before)
            end as ocf
        from ratios
    ) as o
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
from (
    select *, gl_lines as sample_size from components
) as c
