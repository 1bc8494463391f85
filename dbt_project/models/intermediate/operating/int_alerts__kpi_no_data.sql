-- AK5 (catalogue §7.1, §7.3): a strategic KPI is no_data at its publication deadline, at its
-- primary grain and entity. Deadlines (§7.3): a day's KPIs by 09:00 the next day, a week's by
-- Monday 10:00, a month's by the end of the 5th business day of the next month, a quarter's
-- (and a year's, which §7.3 does not list) by the end of the 10th business day. A deadline
-- after the last day of dim_date (as_of) has not passed. Consecutive no_data periods are one
-- alert (dedup), opened at the first one's deadline; it clears at the deadline of the next
-- period published with data.
with strategic as (
    select
        kpi_id,
        department,
        case split_part(time_grains, ',', 1)
            when 'd' then 'day' when 'w' then 'week' when 'm' then 'month'
            when 'q' then 'quarter' else 'year' end as grain,
        case split_part(entity_grains, ',', 1)
            when 'co' then 'company' when 'dept' then 'department' when 'emp' then 'employee'
            else split_part(entity_grains, ',', 1) end as entity_type
    from {{ ref('kpi_definitions') }}
    where level = 'strategic'
),

business_days as (
    select
        date_day,
        row_number() over (order by date_day) as business_day_number
    from {{ ref('dim_date') }}
    where is_business_day
),

observations as (
    select o.kpi_id, o.grain, o.entity_type, o.entity_id, o.period_start, o.period_end,
        o.status, s.department
    from {{ ref('fct_kpi_observations') }} as o
    inner join strategic as s
        on o.kpi_id = s.kpi_id and o.grain = s.grain and o.entity_type = s.entity_type
    where not o.is_partial
),

-- The n-th business day on or after period_end, for month/quarter/year deadlines.
first_business_day as (
    select
        o.kpi_id, o.entity_id, o.period_start,
        min(b.business_day_number) as first_number
    from observations as o
    inner join business_days as b on b.date_day >= o.period_end
    where o.grain in ('month', 'quarter', 'year')
    group by o.kpi_id, o.entity_id, o.period_start
),

deadlines as (
    select
        o.*,
        case o.grain
            when 'day' then {{ local_to_utc('o.period_end') }} + interval 9 hour
            when 'week' then {{ local_to_utc('o.period_end') }} + interval 10 hour
            else {{ local_to_utc(dbt.dateadd('day', 1, 'b.date_day')) }}
        end as deadline_at
    from observations as o
    left join first_business_day as f
        on o.kpi_id = f.kpi_id and o.entity_id = f.entity_id and o.period_start = f.period_start
    left join business_days as b
        on b.business_day_number = f.first_number
        + case o.grain when 'month' then 4 else 9 end
),

published as (
    select
        *,
        status = 'no_data' as is_missing,
        sum(case when status = 'no_data' then 0 else 1 end) over (
            partition by kpi_id, grain, entity_type, entity_id order by period_start
            rows between unbounded preceding and current row
        ) as run,
        lead(deadline_at) over (
            partition by kpi_id, grain, entity_type, entity_id order by period_start
        ) as next_deadline_at
    from deadlines
    where deadline_at <= {{ as_of() }}
)

select
    'AK5' as rule_id,
    'no_data' as variant,
    kpi_id,
    entity_type,
    entity_id,
    any_value(department) as department_id,
    grain,
    min(period_start) as period_start,
    cast(min(period_start) as varchar) as opened_key,
    min(deadline_at) as opened_at,
    case when arg_max(next_deadline_at, period_start) <= {{ as_of() }}
        then arg_max(next_deadline_at, period_start) end as closed_at,
    cast(null as varchar) as condition_level,
    cast(null as double) as observed,
    cast(null as double) as threshold,
    'no data for ' || cast(count(*) as varchar) || ' ' || grain || ' period(s) since '
        || cast(min(period_start) as varchar) as detail
from published
where is_missing
group by kpi_id, grain, entity_type, entity_id, run
