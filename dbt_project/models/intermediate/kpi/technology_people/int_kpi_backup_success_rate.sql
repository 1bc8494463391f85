-- backup_success_rate (catalogue §2.3, §3), company grain, d/w/m/q/y. Agg R: scheduled slots
-- with a succeeded backup / scheduled slots × 100. The slots are those of seed
-- backup_schedule (system × ISO weekday × local slot time) on every business-time day from the
-- first backup delivery on, once their start is at or before as_of; a slot is decided by its
-- local date. A slot succeeded when any attempt stamped with its slot_id
-- (`<system>-<local date>-<HH:MM>`) succeeded; a slot with no attempt, or only failed ones,
-- counts as failed. Unscheduled (manual) backups carry no slot and are ignored, so the value
-- never exceeds 100. Slots after the last delivered day of the backup log are not judged yet:
-- the log is delivered daily, so an undelivered day is late data (§7.3), not failed backups.
with attempts as (
    select slot_id, bool_or(is_succeeded) as has_success
    from {{ ref('stg_backups__runs') }}
    where is_scheduled
      and slot_id is not null
      and started_at <= {{ as_of() }}
    group by slot_id
),

coverage as (
    select min(delivered_on) as first_delivery, max(delivered_on) as last_delivery
    from {{ ref('stg_backups__runs') }}
),

days as (
    select p.period_start as slot_date
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    where p.grain = 'day'
      and p.period_start >= c.first_delivery
      and p.period_start <= c.last_delivery
),

slots as (
    select
        d.slot_date,
        s.system || '-' || cast(d.slot_date as varchar) || '-' || s.slot_time as slot_id
    from days as d
    inner join {{ ref('backup_schedule') }} as s
        on s.iso_day_of_week = extract(isodow from d.slot_date)
    where {{ local_to_utc("d.slot_date + cast(s.slot_time as time)") }} <= {{ as_of() }}
),

daily as (
    select
        s.slot_date,
        count(*) as scheduled_slots,
        count(*) filter (where a.has_success) as succeeded_slots
    from slots as s
    left join attempts as a on s.slot_id = a.slot_id
    group by s.slot_date
),

periods as (
    select p.grain, p.period_start, p.period_end, p.is_partial
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    where p.grain in ('day', 'week', 'month', 'quarter', 'year')
      and p.period_end > c.first_delivery
),

by_period as (
    select
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial,
        coalesce(sum(d.succeeded_slots), 0) as succeeded_slots,
        coalesce(sum(d.scheduled_slots), 0) as scheduled_slots
    from periods as p
    left join daily as d
        on d.slot_date >= p.period_start and d.slot_date < p.period_end
    group by p.grain, p.period_start, p.period_end, p.is_partial
)

select
    'backup_success_rate' as kpi_id,
    grain,
    'company' as entity_type,
    'all' as entity_id,
    period_start,
    period_end,
    succeeded_slots as numerator,
    scheduled_slots as denominator,
    case when scheduled_slots > 0 then 100.0 * succeeded_slots / scheduled_slots end as value,
    scheduled_slots as sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from by_period
