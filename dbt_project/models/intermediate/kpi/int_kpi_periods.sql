-- Every reporting period of every time grain (catalogue §1.1): P = [period_start, period_end)
-- in business-time dates, its end as a UTC instant, and whether it is closed at as_of.
with days as (
    select * from {{ ref('dim_date') }}
),

periods as (
    select distinct 'day' as grain, date_day as period_start,
        cast({{ dbt.dateadd('day', 1, 'date_day') }} as date) as period_end
    from days
    union all
    select distinct 'week', iso_week_start,
        cast({{ dbt.dateadd('day', 7, 'iso_week_start') }} as date)
    from days
    union all
    select distinct 'month', month_start,
        cast({{ dbt.dateadd('month', 1, 'month_start') }} as date)
    from days
    union all
    select distinct 'quarter', quarter_start,
        cast({{ dbt.dateadd('month', 3, 'quarter_start') }} as date)
    from days
    union all
    select distinct 'year', year_start,
        cast({{ dbt.dateadd('year', 1, 'year_start') }} as date)
    from days
)

select
    grain,
    case grain when 'day' then 'd' when 'week' then 'w' when 'month' then 'm'
        when 'quarter' then 'q' else 'y' end as grain_code,
    period_start,
    period_end,
    {{ local_to_utc('period_start') }} as period_start_utc,
    {{ local_to_utc('period_end') }} as period_end_utc,
    {{ local_to_utc('period_end') }} > {{ as_of() }} as is_partial,
    -- The instant a point-in-time KPI is read at: t1, or as_of inside an open period.
    least({{ local_to_utc('period_end') }}, {{ as_of() }}) as evaluated_at_utc
from periods
