-- Onboarding duration KPIs (agg M), each dated by its completing event (catalogue §1.1):
--   time_to_first_win (m/w/q/y, co + emp = CSM): mean dy(contract_signed_at, first_win_at) by
--       first_win_at.
--   total_onboarding_duration (m/q/y, co + emp): mean dy(contract_signed_at, handoff_at) by
--       handoff_at (target_range 21-30 d, judged by fct).
--   client_onboarding_time (d/w/m/q/y, co + emp): mean hr(contract_signed_at, intake_done_at)
--       by intake_done_at, where intake_done_at = max completed_at over the seed
--       intake_milestones, defined only once every one of them is completed (by as_of).
-- dy and hr are fractional calendar days and hours. Negative durations are excluded (§1.2).
with instances as (
    select * from {{ ref('int_onboarding__instances') }}
),

intake as (
    select milestone from {{ ref('intake_milestones') }}
),

intake_done as (
    select
        m.client_id,
        m.contract_signed_at,
        max(m.completed_at) as intake_done_at,
        count(distinct m.milestone) as intake_completed
    from {{ ref('stg_onboarding__milestones') }} as m
    inner join intake as i on m.milestone = i.milestone
    where m.completed_at is not null
      and m.completed_at <= {{ as_of() }}
    group by m.client_id, m.contract_signed_at
    having count(distinct m.milestone) = (select count(*) from intake)
),

events as (
    select
        'time_to_first_win' as kpi_id,
        o.csm_id,
        o.contract_signed_at as started_at,
        o.first_win_at as ended_at,
        86400.0 as seconds_per_unit
    from instances as o
    where o.first_win_at is not null

    union all

    select 'total_onboarding_duration', o.csm_id, o.contract_signed_at, o.handoff_at, 86400.0
    from instances as o
    where o.handoff_at is not null

    union all

    select 'client_onboarding_time', o.csm_id, o.contract_signed_at, d.intake_done_at, 3600.0
    from instances as o
    inner join intake_done as d
        on o.client_id = d.client_id and o.contract_signed_at = d.contract_signed_at
),

records as (
    select
        kpi_id,
        cast({{ utc_to_local('ended_at') }} as date) as record_date,
        csm_id as employee_id,
        cast(null as varchar) as client_id,
        (epoch(ended_at) - epoch(started_at)) / seconds_per_unit as numerator,
        1 as denominator
    from events
    where ended_at >= started_at
      and ended_at <= {{ as_of() }}
)

{{ onboarding_kpi_components('records', [
    {'kpi_id': 'time_to_first_win', 'scale': 1},
    {'kpi_id': 'total_onboarding_duration', 'scale': 1},
    {'kpi_id': 'client_onboarding_time', 'scale': 1},
], "(select min(coverage_start) from " ~ ref('int_onboarding__instances') ~ ")") }}
