-- One row per calendar day from the first partition to the as-of day, in the business time
-- zone: ISO week, month, quarter and year starts, and business days (seeds business_calendar
-- and holidays), numbered within the month so "the 5th business day" is a lookup.
with spine as (
    {{ dbt.date_spine(
        "day",
        "cast('" ~ var('spine_start', '2024-01-01') ~ "' as date)",
        dbt.dateadd("day", 1, "cast(" ~ as_of() ~ " as date)")
    ) }}
),

calendar as (
    select * from {{ ref('business_calendar') }}
),

holidays as (
    select * from {{ ref('holidays') }}
),

labelled as (
    select
        cast(s.date_day as date) as date_day,
        cast(extract(isodow from s.date_day) as integer) as iso_day_of_week,
        cast(extract(isodow from s.date_day) as integer) >= 6 as is_weekend,
        cast({{ dbt.date_trunc('week', 's.date_day') }} as date) as iso_week_start,
        cast(extract(isoyear from s.date_day) as integer) as iso_year,
        cast(extract(week from s.date_day) as integer) as iso_week,
        cast({{ dbt.date_trunc('month', 's.date_day') }} as date) as month_start,
        cast({{ dbt.date_trunc('quarter', 's.date_day') }} as date) as quarter_start,
        cast({{ dbt.date_trunc('year', 's.date_day') }} as date) as year_start,
        h.name as holiday_name,
        c.is_working_day and h.holiday_date is null as is_business_day,
        c.opens_at,
        c.closes_at
    from spine as s
    inner join calendar as c on c.iso_day_of_week = extract(isodow from s.date_day)
    left join holidays as h on h.holiday_date = cast(s.date_day as date)
)

select
    date_day,
    iso_day_of_week,
    is_weekend,
    iso_week_start,
    iso_year,
    iso_week,
    month_start,
    quarter_start,
    year_start,
    holiday_name,
    is_business_day,
    case when is_business_day then
        count(*) filter (where is_business_day) over (
            partition by month_start order by date_day
            rows between unbounded preceding and current row
        )
    end as business_day_of_month,
    -- Opening hours of the day as naive UTC instants, for business hours bh(a, b).
    case when is_business_day then {{ local_to_utc('date_day + opens_at') }} end as opens_at_utc,
    case when is_business_day then {{ local_to_utc('date_day + closes_at') }} end as closes_at_utc
from labelled
