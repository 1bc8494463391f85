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

{{ client_kpi_rollup(scope, {'department': 'department', 'employee': 'assignee_id'}) }}
