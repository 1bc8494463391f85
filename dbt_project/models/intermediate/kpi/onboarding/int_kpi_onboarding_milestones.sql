-- milestone_on_time_rate (catalogue §2.3, agg R, d/w/m/q/y; entities client, emp = CSM, co):
-- count(date(completed_at) <= due_date) / count of onboarding_milestones dated by due_date ×100.
-- A milestone is judged once its due day has ended (due_date < date(as_of), §10.10, §10.18);
-- one still incomplete then (or completed only after as_of) is late. date(completed_at) is
-- the business-time date.
with instances as (
    select client_id, contract_signed_at, csm_id
    from {{ ref('int_onboarding__instances') }}
),

milestones as (
    select
        m.milestone_id,
        m.client_id,
        o.csm_id,
        m.due_date,
        case when m.completed_at <= {{ as_of() }} then m.completed_at end as completed_at
    from {{ ref('stg_onboarding__milestones') }} as m
    inner join instances as o
        on m.client_id = o.client_id
        and m.contract_signed_at = o.contract_signed_at
    where m.due_date is not null
      and m.due_date < cast({{ utc_to_local(as_of()) }} as date)
),

records as (
    select
        'milestone_on_time_rate' as kpi_id,
        due_date as record_date,
        csm_id as employee_id,
        client_id,
        case
            when completed_at is not null
                and cast({{ utc_to_local('completed_at') }} as date) <= due_date then 1
            else 0
        end as numerator,
        1 as denominator
    from milestones
)

{{ onboarding_kpi_components('records', [
    {'kpi_id': 'milestone_on_time_rate', 'scale': 100},
], "(select min(coverage_start) from " ~ ref('int_onboarding__instances') ~ ")") }}
