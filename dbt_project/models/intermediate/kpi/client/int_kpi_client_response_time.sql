-- response_time_to_inquiries (catalogue §2.2, §3): mean bh(created_at, first_response_at) over
-- all tickets, by first_response_at, in business hours (seed business_calendar, holidays
-- excluded; staging's first_response_at is the first human response, auto-acknowledgements
-- excluded). agg M at d, w, m, q, y for the company, the assignee's department and the assignee.
-- bh comes from the shared business_hours macro (a correlated sum over dim_date's opening
-- hours); DuckDB decorrelates it, so it stays fast at scale 1 (~14k tickets in 0.01 s). Negative
-- durations, tickets of excluded clients and responses after as_of are left out.
{% set scope = {
    'response_time_to_inquiries': {
        'grains': ['day', 'week', 'month', 'quarter', 'year'],
        'entities': ['company', 'department', 'employee'],
    },
} %}

with tickets as (
    select
        t.ticket_id,
        t.assignee_id,
        e.department,
        t.created_at,
        t.first_response_at
    from {{ ref('stg_support__tickets') }} as t
    left join {{ ref('stg_hr__employees') }} as e
        on t.assignee_id = e.employee_id
    where t.client_id not in (select client_id from {{ ref('int_clients__excluded') }})
      and t.first_response_at is not null
      and t.first_response_at >= t.created_at
      and t.first_response_at <= {{ as_of() }}
),

records as (
    select
        'response_time_to_inquiries' as kpi_id,
        cast({{ utc_to_local('first_response_at') }} as date) as period_date,
        assignee_id,
        department,
        {{ business_hours('created_at', 'first_response_at') }} as numerator,
        1 as denominator
    from tickets
),

entities as (
    select kpi_id, period_date, 'company' as entity_type, 'all' as entity_id,
        numerator, denominator
    from records
    union all
    select kpi_id, period_date, 'department', department, numerator, denominator
    from records
    where department is not null
    union all
    select kpi_id, period_date, 'employee', assignee_id, numerator, denominator
    from records
    where assignee_id is not null
),

scope as (
    {{ client_kpi_scope(scope) }}
),

aggregated as (
    select
        e.kpi_id,
        p.grain,
        e.entity_type,
        e.entity_id,
        p.period_start,
        p.period_end,
        p.is_partial,
        sum(e.numerator) as numerator,
        sum(e.denominator) as denominator,
        count(*) as sample_size
    from entities as e
    inner join scope as s
        on e.kpi_id = s.kpi_id and e.entity_type = s.entity_type
    inner join {{ ref('int_kpi_periods') }} as p
        on s.grain = p.grain
        and e.period_date >= p.period_start
        and e.period_date < p.period_end
    group by e.kpi_id, p.grain, e.entity_type, e.entity_id, p.period_start, p.period_end,
        p.is_partial
)

select
    kpi_id,
    grain,
    entity_type,
    entity_id,
    period_start,
    period_end,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    case when denominator > 0 then numerator / denominator end as value,
    sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from aggregated
