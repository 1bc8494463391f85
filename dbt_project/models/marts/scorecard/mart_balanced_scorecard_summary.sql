-- Roll-up of the balanced scorecard per period and perspective: how many KPIs are green,
-- yellow, red or without data, and their shares. Counts of statuses, never averaged values.
with scorecard as (
    select * from {{ ref('mart_balanced_scorecard') }}
)

select
    grain,
    period_start,
    is_partial,
    perspective,
    count(*) as kpis,
    count(*) filter (where status = 'green') as green,
    count(*) filter (where status = 'yellow') as yellow,
    count(*) filter (where status = 'red') as red,
    count(*) filter (where status = 'no_data') as no_data,
    count(*) filter (where status in ('no_target', 'provisional')) as not_judged,
    round(100.0 * count(*) filter (where status = 'green') / count(*), 1) as green_pct,
    round(100.0 * count(*) filter (where status = 'yellow') / count(*), 1) as yellow_pct,
    round(100.0 * count(*) filter (where status = 'red') / count(*), 1) as red_pct,
    round(100.0 * count(*) filter (where status = 'no_data') / count(*), 1) as no_data_pct
from scorecard
group by grain, period_start, is_partial, perspective
