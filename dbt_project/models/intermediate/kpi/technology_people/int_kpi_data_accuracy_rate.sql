-- data_accuracy_rate (catalogue §2.3, §7.2), d/m, company grain. Agg R: Σ rows passing / Σ
-- rows checked × 100 over every accuracy check run for P, all domains together, from
-- int_quality__accuracy_by_day (per load day; the quality layer will feed that model later).
-- Load days after the as_of date do not count.
with checks as (
    select check_date, rows_checked, rows_passed
    from {{ ref('int_quality__accuracy_by_day') }}
    where check_date <= cast({{ utc_to_local(as_of()) }} as date)
),

daily as (
    select check_date, sum(rows_passed) as rows_passed, sum(rows_checked) as rows_checked
    from checks
    group by check_date
),

coverage as (
    select min(check_date) as first_check from checks
),

periods as (
    select p.grain, p.period_start, p.period_end, p.is_partial
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    where p.grain in ('day', 'month')
      and p.period_end > c.first_check
),

by_period as (
    select
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial,
        coalesce(sum(d.rows_passed), 0) as rows_passed,
        coalesce(sum(d.rows_checked), 0) as rows_checked
    from periods as p
    left join daily as d
        on d.check_date >= p.period_start and d.check_date < p.period_end
    group by p.grain, p.period_start, p.period_end, p.is_partial
)

select
    'data_accuracy_rate' as kpi_id,
    grain,
    'company' as entity_type,
    'all' as entity_id,
    period_start,
    period_end,
    rows_passed as numerator,
    rows_checked as denominator,
    case when rows_checked > 0 then 100.0 * rows_passed / rows_checked end as value,
    rows_checked as sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from by_period
