-- Corrective actions with their KPI gap and verified effect (SOP-007 §8.3 success validation;
-- catalogue §7.1, §8.9): one row per action of the corrective-actions extract created by as_of.
-- The KPI series an action is judged on is the KPI's company row at its primary time grain, or
-- at month when the primary grain is day or week (a day's value is too noisy to validate an
-- action; SOP-007 reviews actions monthly):
--   baseline_gap     gap (§8.4, negative = worse) of the last closed period that ended at or
--                    before created_at.
--   gap_after        gap of the 2nd closed period that starts after completed_at (null until it
--                    has closed); gap_now is the latest closed period's gap.
--   gap_closure_pct  (gap_after − baseline_gap) / |baseline_gap| × 100 (gap_now while
--                    gap_after is unknown); null when the baseline gap is 0 or unknown.
--   effect           effective  = green in 2 consecutive closed periods after completed_at;
--                    no_effect  = gap_closure_pct < 10 two periods after completed_at, or the
--                                 action was cancelled (never carried out);
--                    pending    = not completed yet, or completed but neither of the above yet;
--                    no_baseline = no KPI gap to measure against (dialer-trigger coaching
--                                 actions, KPIs without a target, no closed period before).
-- is_overdue: not done, not cancelled, and due_at < as_of (re-opens its alert one level up).
-- linked_alert_id: the action's own alert_id when it names one of mart_alerts; otherwise the
-- KPI-breach alert at the KPI's primary grain open when the action was created, of the company
-- first, else of the action's department, else of its owner (AK1, AK3, AK2, AK4 in that
-- order); none when the KPI's primary entity is someone else (e.g. another employee).
with actions as (
    select *
    from {{ ref('stg_actions__corrective_actions') }}
    where created_at <= {{ as_of() }}
),

definitions as (
    select
        kpi_id,
        case split_part(time_grains, ',', 1)
            when 'd' then 'month' when 'w' then 'month' when 'm' then 'month'
            when 'q' then 'quarter' else 'year'
        end as evaluation_grain
    from {{ ref('kpi_definitions') }}
),

series as (
    select
        o.kpi_id,
        o.period_start,
        o.status,
        o.gap,
        p.period_start_utc,
        p.period_end_utc
    from {{ ref('fct_kpi_observations') }} as o
    inner join definitions as d on o.kpi_id = d.kpi_id and o.grain = d.evaluation_grain
    inner join {{ ref('int_kpi_periods') }} as p
        on o.grain = p.grain and o.period_start = p.period_start
    where o.entity_type = 'company'
      and not o.is_partial
),

baselines as (
    select
        a.action_id,
        s.gap as baseline_gap,
        s.period_start as baseline_period_start
    from actions as a
    inner join series as s
        on a.kpi_id = s.kpi_id and s.period_end_utc <= a.created_at
    qualify row_number() over (partition by a.action_id order by s.period_start desc) = 1
),

-- Closed periods entirely after completion, numbered; a pair of consecutive greens = effective.
after_completion as (
    select
        a.action_id,
        s.period_start,
        s.status,
        s.gap,
        row_number() over (partition by a.action_id order by s.period_start) as period_number,
        s.status = 'green'
            and lag(s.status) over (partition by a.action_id order by s.period_start) = 'green'
            as closes_green_pair
    from actions as a
    inner join series as s
        on a.kpi_id = s.kpi_id
        and a.completed_at is not null
        and a.completed_at <= {{ as_of() }}
        and s.period_start_utc >= a.completed_at
),

after_summary as (
    select
        action_id,
        max(gap) filter (where period_number = 2) as gap_after,
        max(period_start) filter (where period_number = 2) as after_period_start,
        count(*) as closed_periods_after,
        bool_or(closes_green_pair) as is_green_twice
    from after_completion
    group by action_id
),

latest as (
    select
        a.action_id,
        s.gap as gap_now,
        s.period_start as gap_now_period_start
    from actions as a
    inner join series as s on a.kpi_id = s.kpi_id
    qualify row_number() over (partition by a.action_id order by s.period_start desc) = 1
),

-- KPI-breach alerts at the primary grain (the ones mart_alerts publishes), for the link.
alerts as (
    select alert_id, rule_id, kpi_id, entity_type, entity_id, department_id, opened_at, closed_at
    from {{ ref('int_alerts__kpi_breaches') }}
    where is_primary_grain
),

own_alerts as (
    select a.action_id, l.alert_id
    from actions as a
    inner join alerts as l on a.alert_id = l.alert_id
),

open_alerts as (
    select a.action_id, l.alert_id
    from actions as a
    inner join alerts as l
        on a.kpi_id = l.kpi_id
        and l.opened_at <= a.created_at
        and (l.closed_at is null or l.closed_at > a.created_at)
        -- the company's alert, the action's department's, or the owner's own
        and (
            l.entity_type = 'company'
            or (l.entity_type = 'department' and l.department_id = a.department)
            or l.entity_id = a.owner_id
        )
    qualify row_number() over (
        partition by a.action_id
        order by
            case
                when l.entity_type = 'company' then 0
                when l.department_id = a.department then 1
                else 2
            end,
            case l.rule_id when 'AK1' then 0 when 'AK3' then 1 when 'AK2' then 2 else 3 end,
            l.opened_at,
            l.alert_id
    ) = 1
),

measured as (
    select
        a.*,
        b.baseline_gap,
        b.baseline_period_start,
        s.gap_after,
        s.after_period_start,
        coalesce(s.closed_periods_after, 0) as closed_periods_after,
        coalesce(s.is_green_twice, false) as is_green_twice,
        l.gap_now,
        l.gap_now_period_start,
        case
            when b.baseline_gap is null or b.baseline_gap = 0 then null
            else (coalesce(s.gap_after, l.gap_now) - b.baseline_gap) / abs(b.baseline_gap) * 100
        end as gap_closure_pct,
        coalesce(o.alert_id, x.alert_id) as linked_alert_id
    from actions as a
    left join baselines as b on a.action_id = b.action_id
    left join after_summary as s on a.action_id = s.action_id
    left join latest as l on a.action_id = l.action_id
    left join own_alerts as o on a.action_id = o.action_id
    left join open_alerts as x on a.action_id = x.action_id
)

select
    -- keys
    action_id,
    kpi_id,
    department as department_id,
    owner_id,
    origin,
    is_dialer_trigger,
    description,
    -- dates and state
    created_at,
    due_at,
    case when completed_at <= {{ as_of() }} then completed_at end as completed_at,
    status,
    status not in ('done', 'cancelled') and due_at < {{ as_of() }} as is_overdue,
    -- verified effect (catalogue §8.9)
    baseline_period_start,
    cast(baseline_gap as double) as baseline_gap,
    after_period_start,
    cast(gap_after as double) as gap_after,
    gap_now_period_start,
    cast(gap_now as double) as gap_now,
    cast(gap_closure_pct as double) as gap_closure_pct,
    cast(closed_periods_after as integer) as closed_periods_after,
    cast(
        case
            when is_dialer_trigger or baseline_gap is null then 'no_baseline'
            when status = 'cancelled' then 'no_effect'
            when is_green_twice then 'effective'
            when gap_after is not null and gap_closure_pct < 10 then 'no_effect'
            else 'pending'
        end as varchar
    ) as effect,
    linked_alert_id,
    {{ as_of() }} as as_of
from measured
