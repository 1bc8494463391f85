-- Escalation levels of every alert (catalogue §7.1, S7 §15.1), evaluated at as_of:
--   start level   from seed alert_rules by rule and variant; AK3 starts level_offset above the
--                 AK1/AK2 start level of the status that opened it (max L3).
--   condition     the level the condition itself reached (e.g. a major system failure, a
--                 complaint unresolved for 24 h, a dialer trigger's L2 escalation).
--   promotion     an alert is unhandled until a corrective action with an owner and a due date
--                 is created at or after opened_at that matches its kpi_id or alert_id (for an
--                 employee or agent alert, owned by that person); a condition that has cleared
--                 counts as handled. Unhandled for more than unhandled_after_hours (seed
--                 escalation_levels: 24 h, 72 h) it is promoted to at least that level.
--   re-opening    an action answering the alert (its linked_alert_id in mart_corrective_actions)
--                 that is overdue (not done or cancelled, due_at < as_of) or whose verified
--                 effect is no_effect (§8.9) re-opens the alert one level above its level (max
--                 L3); the alert is open again whatever its condition. When the same rule, kpi,
--                 entity and grain has a later alert, that one is re-opened instead (dedup).
-- Level = max(start, condition, promotion) + re-opening, capped at L3. A promoted alert goes to
-- its level's audience and is pushed at once, whatever the rule's delivery.
{{ config(materialized='table') }}

with alerts as (
    select * from {{ ref('int_alerts__candidates') }}
),

rules as (
    select * from {{ ref('alert_rules') }}
),

levels as (
    select * from {{ ref('escalation_levels') }}
),

actions as (
    select
        c.action_id,
        c.kpi_id,
        x.alert_id as named_alert_id,
        c.owner_id,
        c.created_at,
        c.is_overdue,
        c.effect,
        c.linked_alert_id
    from {{ ref('mart_corrective_actions') }} as c
    left join {{ ref('stg_actions__corrective_actions') }} as x on c.action_id = x.action_id
    where c.owner_id is not null and c.due_at is not null
),

started as (
    select
        a.*,
        r.severity,
        r.delivery,
        r.audience as rule_audience,
        r.start_level as rule_start_level,
        r.breach_class,
        least(
            3,
            coalesce(
                cast(right(r.start_level, 1) as integer),
                cast(right(base.start_level, 1) as integer) + r.level_offset
            )
        ) as start_rank,
        coalesce(cast(right(a.condition_level, 1) as integer), 1) as condition_rank,
        least(coalesce(a.closed_at, {{ as_of() }}), {{ as_of() }}) as evaluated_until
    from alerts as a
    inner join rules as r on a.rule_id = r.rule_id and a.variant = r.variant
    -- AK3's base: the AK1 (red) or AK2 (yellow) rule of the KPI level that opened it
    left join rules as base
        on a.rule_id = 'AK3'
        and base.rule_id = case a.start_status when 'red' then 'AK1' else 'AK2' end
        and base.variant = a.level_variant
),

-- Actions that handle an alert: same kpi_id, or naming the alert; created since it opened.
matches as (
    select s.alert_id, c.action_id, c.created_at, c.is_overdue, c.effect, c.linked_alert_id
    from started as s
    inner join actions as c on c.kpi_id = s.kpi_id
    where c.created_at >= s.opened_at
      and c.created_at <= {{ as_of() }}
      and (s.entity_type not in ('employee', 'agent') or c.owner_id = s.entity_id)

    union

    select s.alert_id, c.action_id, c.created_at, c.is_overdue, c.effect, c.linked_alert_id
    from started as s
    inner join actions as c on c.named_alert_id = s.alert_id
    where c.created_at >= s.opened_at
      and c.created_at <= {{ as_of() }}
),

handling as (
    select
        alert_id,
        min(created_at) as handled_at,
        -- re-opening concerns the alert the action answers (mart_corrective_actions link)
        bool_or(is_overdue and linked_alert_id = alert_id) as has_overdue_action,
        bool_or(effect = 'no_effect' and linked_alert_id = alert_id) as has_ineffective_action,
        count(*) as actions
    from matches
    group by alert_id
),

aged as (
    select
        s.*,
        h.handled_at,
        coalesce(h.has_overdue_action, false) as has_overdue_action,
        coalesce(h.has_ineffective_action, false) as has_ineffective_action,
        cast(coalesce(h.actions, 0) as integer) as actions,
        (
            epoch(least(coalesce(h.handled_at, s.evaluated_until), s.evaluated_until))
            - epoch(s.opened_at)
        ) / 3600.0 as unhandled_hours
    from started as s
    left join handling as h on s.alert_id = h.alert_id
),

promoted as (
    select
        a.*,
        (
            select max(l.level_rank) from levels as l
            where a.unhandled_hours > l.unhandled_after_hours or l.unhandled_after_hours = 0
        ) as promotion_rank,
        -- Dedup: re-opening an alert of a series that has a later alert re-opens (updates)
        -- that later one instead, so there is never more than one open alert per key.
        bool_or(a.has_overdue_action or a.has_ineffective_action) over dedup_key
            and a.opened_at = max(a.opened_at) over dedup_key as is_reopened
    from aged as a
    window dedup_key as (partition by a.rule_id, a.kpi_id, a.entity_type, a.entity_id, a.grain)
),

levelled as (
    select
        *,
        least(
            3,
            greatest(start_rank, condition_rank, promotion_rank)
            + case when is_reopened then 1 else 0 end
        ) as level_rank
    from promoted
)

select
    a.alert_id,
    a.rule_id,
    a.variant,
    a.kpi_id,
    a.entity_type,
    a.entity_id,
    a.department_id,
    a.grain,
    a.period_start,
    a.last_period_start,
    a.opened_at,
    case when a.is_reopened then null else a.closed_at end as closed_at,
    a.closed_at as condition_cleared_at,
    case when a.closed_at is null or a.is_reopened then 'open' else 'closed' end as status,
    a.severity,
    'L' || cast(a.start_rank as varchar) as start_level,
    l.escalation_level,
    -- the rule's audience at its own start level; a level's audience above it (AK3 has none)
    case when a.level_rank > a.start_rank or a.rule_start_level is null then l.audience
        else a.rule_audience end as audience,
    case when a.level_rank > a.start_rank then 'immediate' else a.delivery end as delivery,
    a.breach_class,
    a.handled_at,
    cast(a.unhandled_hours as double) as unhandled_hours,
    a.actions as matching_actions,
    a.has_overdue_action,
    a.has_ineffective_action,
    a.is_reopened,
    a.observed,
    a.threshold,
    a.detail,
    a.breaches,
    a.is_published
from levelled as a
inner join levels as l on a.level_rank = l.level_rank
