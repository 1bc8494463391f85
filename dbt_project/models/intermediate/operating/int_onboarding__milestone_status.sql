-- One row per onboarding milestone of a known onboarding instance, judged at as_of (catalogue
-- §10.10, §10.18): a milestone is judged once its due day has ended (due_date < date(as_of));
-- on time = date(completed_at) <= due_date (business time); a completion after as_of is not
-- known yet. plan_order numbers the instance's milestones by due date, so "the milestone a
-- client is at" is its first incomplete one. days_late counts calendar days past due (to the
-- completion, or to as_of while still open).
with instances as (
    select client_id, contract_signed_at, csm_id, ob_end, is_closed
    from {{ ref('int_onboarding__instances') }}
),

as_of_day as (
    select cast({{ utc_to_local(as_of()) }} as date) as as_of_date
),

milestones as (
    select
        m.milestone_id,
        m.client_id,
        m.contract_signed_at,
        o.csm_id,
        o.ob_end,
        o.is_closed,
        m.milestone,
        m.is_client_owned,
        m.due_date,
        case when m.completed_at <= {{ as_of() }} then m.completed_at end as completed_at
    from {{ ref('stg_onboarding__milestones') }} as m
    inner join instances as o
        on m.client_id = o.client_id and m.contract_signed_at = o.contract_signed_at
),

judged as (
    select
        m.*,
        cast({{ utc_to_local('m.completed_at') }} as date) as completed_date,
        a.as_of_date
    from milestones as m
    cross join as_of_day as a
)

select
    milestone_id,
    client_id,
    contract_signed_at,
    csm_id,
    milestone,
    is_client_owned,
    cast(row_number() over (
        partition by client_id, contract_signed_at order by due_date, milestone_id
    ) as integer) as plan_order,
    due_date,
    completed_at,
    completed_at is not null as is_completed,
    due_date < as_of_date as is_judged,
    completed_at is not null and completed_date <= due_date as is_on_time,
    completed_at is null and due_date < as_of_date as is_overdue_open,
    cast(greatest(
        0,
        {{ dbt.datediff('due_date', 'coalesce(completed_date, as_of_date)', 'day') }}
    ) as integer) as days_late,
    ob_end,
    is_closed as is_onboarding_closed
from judged
