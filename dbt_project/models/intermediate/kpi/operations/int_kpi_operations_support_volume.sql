-- support_ticket_volume (catalogue §2.3, §10.19): count of every help-desk ticket (client- or
-- staff-created) by created_at in business time, grains d/w/m/q/y, company (agg A). Every period
-- from the first ticket delivery on has a row: no ticket is a real 0 (§10.5).
with tickets as (
    select cast({{ utc_to_local('created_at') }} as date) as created_day, count(*) as tickets
    from {{ ref('stg_support__tickets') }}
    where created_at is not null
      and created_at <= {{ as_of() }}
    group by 1
),

coverage as (
    select min(first_delivered_on) as tickets_from from {{ ref('stg_support__tickets') }}
),

periods as (
    select p.grain, p.period_start, p.period_end, p.is_partial
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    where p.period_end > c.tickets_from
),

by_period as (
    select
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial,
        coalesce(sum(t.tickets), 0) as tickets
    from periods as p
    left join tickets as t
        on t.created_day >= p.period_start and t.created_day < p.period_end
    group by all
)

select
    'support_ticket_volume' as kpi_id,
    grain,
    'company' as entity_type,
    'all' as entity_id,
    period_start,
    period_end,
    tickets as numerator,
    cast(null as double) as denominator,
    tickets as value,
    tickets as sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from by_period
