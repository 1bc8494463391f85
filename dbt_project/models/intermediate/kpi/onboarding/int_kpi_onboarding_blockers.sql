-- blocker_resolution_time (catalogue §2.3, agg M, m/w/q/y, co; no target): mean
-- dy(logged_at, resolved_at) over onboarding blockers, dated by resolved_at (fractional
-- calendar days). Open blockers are not in any period (aging alerts cover them); a negative
-- duration is excluded (§1.2). The blocker-type slice is not part of the component contract.
with blockers as (
    select blocker_id, logged_at, resolved_at
    from {{ ref('stg_onboarding__blockers') }}
    where resolved_at is not null
      and logged_at is not null
      and resolved_at >= logged_at
      and resolved_at <= {{ as_of() }}
      and client_id not in (select client_id from {{ ref('int_clients__excluded') }})
),

records as (
    select
        'blocker_resolution_time' as kpi_id,
        cast({{ utc_to_local('resolved_at') }} as date) as record_date,
        cast(null as varchar) as employee_id,
        cast(null as varchar) as client_id,
        (epoch(resolved_at) - epoch(logged_at)) / 86400.0 as numerator,
        1 as denominator
    from blockers
)

{{ onboarding_kpi_components('records', [
    {'kpi_id': 'blocker_resolution_time', 'scale': 1},
], "(select min(coverage_start) from " ~ ref('int_onboarding__instances') ~ ")") }}
