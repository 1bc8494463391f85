-- One row per calendar day from the first partition to the as-of day, in the business time zone.
with spine as (
    {{ dbt.date_spine(
        "day",
        "cast('" ~ var('spine_start', '2024-01-01') ~ "' as date)",
        dbt.dateadd("day", 1, "cast(" ~ as_of() ~ " as date)")
    ) }}
),

days as (
    select cast(date_day as date) as date_day from spine
),

labelled as (
    select
        date_day,
        cast(extract(isodow from date_day) as integer) as iso_day_of_week,
        cast(extract(isodow from date_day) as integer) >= 6 as is_weekend,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as iso_week_start,
        cast(extract(isoyear from date_day) as integer) as iso_year,
        cast(extract(week from date_day) as integer) as iso_week,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start,
        cast({{ dbt.date_trunc('quarter', 'date_day') }} as date) as quarter_start,
        cast({{ dbt.date_trunc('year', 'date_day') }} as date) as year_start
    from days
)

select
    *,
    not is_weekend as is_business_day,
    case when not is_weekend then
        count(*) filter (where not is_weekend) over (
            partition by month_start order by date_day rows between unbounded preceding and current row
        )
    end as business_day_of_month
from labelled
