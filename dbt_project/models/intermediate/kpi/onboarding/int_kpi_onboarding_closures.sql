-- Onboarding KPIs dated by ob_end (catalogue §1.3: an onboarding is "closed in P" when
-- ob_end ∈ P; only onboardings with ob_end <= as_of are closed), m/q/y:
--   onboarding_completion_rate (R, co + emp = CSM): handoff_at not null and
--       handoff_at <= contract_signed_at + ob_close_days / onboardings closed ×100.
--   client_training_completion_rate (R, co): training_completed = true / onboardings closed
--       ×100 (a null flag leaves the denominator, §10.11).
--   portal_login_frequency (M, co): mean onboarding.portal_logins.
--   agency_hours_per_client (M, co + emp): mean onboarding.agency_hours.
--   onboarding_ticket_volume (M, co): mean onboarding.support_tickets.
with instances as (
    select * from {{ ref('int_onboarding__instances') }}
    where is_closed
),

records as (
    select
        'onboarding_completion_rate' as kpi_id,
        ob_end_date as record_date,
        csm_id as employee_id,
        cast(null as varchar) as client_id,
        case when handoff_at is not null and handoff_at <= ob_close_at then 1 else 0 end
            as numerator,
        1 as denominator
    from instances

    union all

    select
        'client_training_completion_rate', ob_end_date, csm_id, null,
        case when training_completed then 1 else 0 end, 1
    from instances
    where training_completed is not null

    union all

    select 'portal_login_frequency', ob_end_date, csm_id, null, portal_logins, 1
    from instances
    where portal_logins is not null

    union all

    select 'agency_hours_per_client', ob_end_date, csm_id, null, agency_hours, 1
    from instances
    where agency_hours is not null

    union all

    select 'onboarding_ticket_volume', ob_end_date, csm_id, null, support_tickets, 1
    from instances
    where support_tickets is not null
)

{{ onboarding_kpi_components('records', [
    {'kpi_id': 'onboarding_completion_rate', 'scale': 100},
    {'kpi_id': 'client_training_completion_rate', 'scale': 100},
    {'kpi_id': 'portal_login_frequency', 'scale': 1},
    {'kpi_id': 'agency_hours_per_client', 'scale': 1},
    {'kpi_id': 'onboarding_ticket_volume', 'scale': 1},
], "(select min(coverage_start) from " ~ ref('int_onboarding__instances') ~ ")") }}
