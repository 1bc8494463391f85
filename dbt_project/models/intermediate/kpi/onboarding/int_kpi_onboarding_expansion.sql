-- expansion_rate_3m (catalogue §2.1, agg C, company grain, m/q/y). Cohort: onboardings dated by
-- contract_signed_at + 91 d (business time), counted once that instant is <= as_of.
-- Expanded = client_mrr(c, contract + 91 d) > client_mrr(c, first subscription start + 1 d),
-- with client_mrr(c, t) = Σ sub_mrr over c's subscriptions live at t (§1.3: start <= t < ended_at,
-- t >= coalesce(trial_end, start), status not incomplete / incomplete_expired, not test mode).
-- A client churned by the 91-day mark (churn_at of int_onboarding__instances) counts as not
-- expanded. Clients with no subscription are excluded (the DQ checks flag them). The outcome is
-- known on the cohort date itself, so the maturity window is 0 (provisional while open).
-- CRM client <-> Stripe: stg_crm__contacts.customer_key = stg_stripe__subscriptions.customer_key.
{% set expansion_days = 91 %}

with instances as (
    select * from {{ ref('int_onboarding__instances') }}
    where has_subscription
      and contract_signed_at + to_days({{ expansion_days }}) <= {{ as_of() }}
),

contacts as (
    select client_id, any_value(customer_key) as customer_key
    from {{ ref('stg_crm__contacts') }}
    where client_id is not null and customer_key is not null
    group by client_id
),

subscriptions as (
    select
        c.client_id,
        s.started_at,
        coalesce(s.trial_ended_at, s.started_at) as paying_from,
        coalesce(s.ended_at, cast('9999-12-31' as timestamp)) as ended_at,
        s.monthly_amount_usd
    from {{ ref('stg_stripe__subscriptions') }} as s
    inner join contacts as c on s.customer_key = c.customer_key
    where not s.is_test
      and s.status not in ('incomplete', 'incomplete_expired')
      and s.started_at <= {{ as_of() }}
),

first_starts as (
    select client_id, min(started_at) as first_started_at
    from subscriptions
    group by client_id
),

measured as (
    select
        o.client_id,
        o.contract_signed_at,
        o.churn_at,
        o.contract_signed_at + to_days({{ expansion_days }}) as measured_at,
        f.first_started_at + to_days(1) as baseline_at
    from instances as o
    inner join first_starts as f on o.client_id = f.client_id
),

client_mrr as (
    select
        m.client_id,
        m.contract_signed_at,
        m.measured_at,
        any_value(m.churn_at) as churn_at,
        coalesce(sum(s.monthly_amount_usd) filter (
            where s.started_at <= m.measured_at
            and m.measured_at < s.ended_at
            and m.measured_at >= s.paying_from
        ), 0) as mrr_at_3m,
        coalesce(sum(s.monthly_amount_usd) filter (
            where s.started_at <= m.baseline_at
            and m.baseline_at < s.ended_at
            and m.baseline_at >= s.paying_from
        ), 0) as mrr_at_start
    from measured as m
    left join subscriptions as s on m.client_id = s.client_id
    group by m.client_id, m.contract_signed_at, m.measured_at
),

records as (
    select
        'expansion_rate_3m' as kpi_id,
        cast({{ utc_to_local('measured_at') }} as date) as record_date,
        cast(null as varchar) as employee_id,
        cast(null as varchar) as client_id,
        case
            when churn_at is not null and churn_at <= measured_at then 0
            when mrr_at_3m > mrr_at_start then 1
            else 0
        end as numerator,
        1 as denominator
    from client_mrr
)

{{ onboarding_kpi_components('records', [
    {'kpi_id': 'expansion_rate_3m', 'scale': 100, 'maturity_days': 0,
     'coverage_lag_days': expansion_days},
], "(select min(coverage_start) from " ~ ref('int_onboarding__instances') ~ ")") }}
