-- Onboarding cohort KPIs (agg C, company grain). Each onboarding counts once, in the period of
-- its cohort date (business time), once that date is <= as_of:
--   client_onboarding_completion_rate (m/w/q/y): cohort = contract_signed_at. Completed = every
--       seed intake_milestones row has completed_at <= contract_signed_at +
--       kpi_params.intake_window_days. Provisional until t1 + intake_window_days <= as_of.
--   tool_adoption_rate (m/w/q/y): cohort = contract_signed_at + 14 d. Adopted =
--       tool_active_by_week2, or where the flag is not loaded (null), >= 1 feature_usage event on
--       seed ai_tool_features in [contract + 7 d, contract + 14 d).
--   client_retention_6m (m/q/y): cohort = contract_signed_at + 182 d. Retained = active(c, t)
--       at t = contract + 182 d (int_clients__activity, active just before t). Every signed
--       onboarding counts, abandoned ones included; clients that never had a subscription are
--       outside retention denominators (§1.3).
-- The outcome of tool adoption and 6-month retention is known on the cohort date itself, so
-- their maturity window is 0: provisional exactly while the period is open. The 14, 7 and 182
-- days are part of the KPI definitions (week 2, six months), not tunable parameters.
{% set week2_start_days = 7 %}
{% set week2_end_days = 14 %}
{% set retention_days = 182 %}

with instances as (
    select * from {{ ref('int_onboarding__instances') }}
),

params as (
    select cast(max(value) filter (where parameter = 'intake_window_days') as integer)
        as intake_window_days
    from {{ ref('kpi_params') }}
),

intake_on_time as (
    select
        o.client_id,
        o.contract_signed_at
    from instances as o
    cross join params as p
    inner join {{ ref('stg_onboarding__milestones') }} as m
        on o.client_id = m.client_id
        and o.contract_signed_at = m.contract_signed_at
    inner join {{ ref('intake_milestones') }} as i on m.milestone = i.milestone
    where m.completed_at <= o.contract_signed_at + to_days(p.intake_window_days)
      and m.completed_at <= {{ as_of() }}
    group by o.client_id, o.contract_signed_at
    having count(distinct m.milestone) = (select count(*) from {{ ref('intake_milestones') }})
),

ai_week2 as (
    select distinct
        o.client_id,
        o.contract_signed_at
    from instances as o
    inner join {{ ref('stg_product__feature_usage') }} as f on o.client_id = f.client_id
    inner join {{ ref('ai_tool_features') }} as a on f.feature = a.feature
    where f.used_at >= o.contract_signed_at + to_days({{ week2_start_days }})
      and f.used_at < o.contract_signed_at + to_days({{ week2_end_days }})
),

retained as (
    select distinct
        o.client_id,
        o.contract_signed_at
    from instances as o
    inner join {{ ref('int_clients__activity') }} as a
        on o.client_id = a.client_id
        and a.active_from < o.contract_signed_at + to_days({{ retention_days }})
        and (
            a.active_to is null
            or a.active_to >= o.contract_signed_at + to_days({{ retention_days }})
        )
),

records as (
    select
        'client_onboarding_completion_rate' as kpi_id,
        o.contract_date as record_date,
        cast(null as varchar) as employee_id,
        cast(null as varchar) as client_id,
        case when c.client_id is not null then 1 else 0 end as numerator,
        1 as denominator
    from instances as o
    left join intake_on_time as c
        on o.client_id = c.client_id and o.contract_signed_at = c.contract_signed_at

    union all

    select
        'tool_adoption_rate',
        cast({{ utc_to_local('o.contract_signed_at + to_days(' ~ week2_end_days ~ ')') }} as date),
        null,
        null,
        case when coalesce(o.tool_active_by_week2, a.client_id is not null) then 1 else 0 end,
        1
    from instances as o
    left join ai_week2 as a
        on o.client_id = a.client_id and o.contract_signed_at = a.contract_signed_at
    where o.contract_signed_at + to_days({{ week2_end_days }}) <= {{ as_of() }}

    union all

    select
        'client_retention_6m',
        cast({{ utc_to_local('o.contract_signed_at + to_days(' ~ retention_days ~ ')') }} as date),
        null,
        null,
        case when r.client_id is not null then 1 else 0 end,
        1
    from instances as o
    left join retained as r
        on o.client_id = r.client_id and o.contract_signed_at = r.contract_signed_at
    where o.has_subscription
      and o.contract_signed_at + to_days({{ retention_days }}) <= {{ as_of() }}
)

{{ onboarding_kpi_components('records', [
    {'kpi_id': 'client_onboarding_completion_rate', 'scale': 100,
     'maturity_days': "(select intake_window_days from params)"},
    {'kpi_id': 'tool_adoption_rate', 'scale': 100, 'maturity_days': 0,
     'coverage_lag_days': week2_end_days},
    {'kpi_id': 'client_retention_6m', 'scale': 100, 'maturity_days': 0,
     'coverage_lag_days': retention_days},
], "(select min(coverage_start) from " ~ ref('int_onboarding__instances') ~ ")") }}
