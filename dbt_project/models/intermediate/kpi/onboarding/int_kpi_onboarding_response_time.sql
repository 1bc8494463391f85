-- onboarding_response_time (catalogue §2.2, agg M, d/w/m/q/y; entities emp = the ticket's
-- assignee, co, client): mean bh(created_at, first_response_at) over tickets whose created_at
-- falls in the client's ob_window [contract_signed_at, ob_end), dated by first_response_at.
-- Business hours both for the value and the thresholds (§3); bh is the business_hours macro
-- over dim_date's opening hours (holidays excluded). first_response_at is the first human
-- response (staging excludes automatic acknowledgements). Every ticket counts, client- or
-- staff-created (§10.19); a ticket without a response yet is not in any period.
with instances as (
    select client_id, contract_signed_at, ob_end
    from {{ ref('int_onboarding__instances') }}
),

tickets as (
    select distinct
        t.ticket_id,
        t.client_id,
        t.assignee_id,
        t.created_at,
        t.first_response_at
    from {{ ref('stg_support__tickets') }} as t
    inner join instances as o
        on t.client_id = o.client_id
        and t.created_at >= o.contract_signed_at
        and t.created_at < o.ob_end
    where t.first_response_at is not null
      and t.first_response_at >= t.created_at
      and t.first_response_at <= {{ as_of() }}
),

records as (
    select
        'onboarding_response_time' as kpi_id,
        cast({{ utc_to_local('t.first_response_at') }} as date) as record_date,
        t.assignee_id as employee_id,
        t.client_id,
        {{ business_hours('t.created_at', 't.first_response_at') }} as numerator,
        1 as denominator
    from tickets as t
)

{{ onboarding_kpi_components('records', [
    {'kpi_id': 'onboarding_response_time', 'scale': 1},
], "(select min(coverage_start) from " ~ ref('int_onboarding__instances') ~ ")") }}
