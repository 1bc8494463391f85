-- onboarding_automation_rate (catalogue §2.3, §3, agg R, m/w/q/y, co): count of
-- automation_runs with automated = true and succeeded = true / count of automation_runs ×100,
-- over runs whose client is in onboarding at run_at (contract_signed_at <= run_at < ob_end),
-- dated by run_at. One row per execution: a failed automated attempt a human then completed is
-- one human execution. Null flags leave the denominator (§10.11).
with instances as (
    select client_id, contract_signed_at, ob_end
    from {{ ref('int_onboarding__instances') }}
),

runs as (
    select distinct
        r.execution_id,
        r.run_at,
        r.is_automated,
        r.is_succeeded
    from {{ ref('stg_automation__runs') }} as r
    inner join instances as o
        on r.client_id = o.client_id
        and r.run_at >= o.contract_signed_at
        and r.run_at < o.ob_end
    where r.run_at <= {{ as_of() }}
      and r.is_automated is not null
      and r.is_succeeded is not null
),

records as (
    select
        'onboarding_automation_rate' as kpi_id,
        cast({{ utc_to_local('run_at') }} as date) as record_date,
        cast(null as varchar) as employee_id,
        cast(null as varchar) as client_id,
        case when is_automated and is_succeeded then 1 else 0 end as numerator,
        1 as denominator
    from runs
)

{{ onboarding_kpi_components('records', [
    {'kpi_id': 'onboarding_automation_rate', 'scale': 100},
], "(select min(coverage_start) from " ~ ref('int_onboarding__instances') ~ ")") }}
