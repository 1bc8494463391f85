-- Bureau-dispute outcome KPIs (catalogue §2.2):
--   dispute_success_rate        R  count(outcome in (removed, updated)) / count(outcome in
--                                  (removed, updated, verified)) x 100, by resolved_at; pending
--                                  or unresolved disputes are left out, verified = failure.
--                                  m, w, q, y for the company, the specialist and the client.
--   negative_item_removal_rate  C  cohort of distinct negative items by the first opened_at of
--                                  their disputes; removed = any of its disputes answered
--                                  removed with resolved_at <= first opened_at + removal_window
--                                  _days (seed kpi_params, 120). Provisional while t1 + window
--                                  > as_of. m, q, y for the company and the client.
-- Disputes of excluded clients, negative durations (resolved before opened, a DQ accuracy
-- failure) and anything after as_of are left out.
{% set scope = {
    'dispute_success_rate': {
        'grains': ['month', 'week', 'quarter', 'year'],
        'entities': ['company', 'employee', 'client'],
    },
    'negative_item_removal_rate': {
        'grains': ['month', 'quarter', 'year'],
        'entities': ['company', 'client'],
    },
} %}

with params as (
    select cast(max(value) filter (where parameter = 'removal_window_days') as integer)
        as removal_window_days
    from {{ ref('kpi_params') }}
),

disputes as (
    select *
    from {{ ref('stg_disputes__disputes') }}
    where client_id not in (select client_id from {{ ref('int_clients__excluded') }})
      and opened_at <= {{ as_of() }}
),

-- An answer counts only when it is known at as_of and not dated before the dispute opened.
answered as (
    select *
    from disputes
    where resolved_at is not null
      and outcome in ('removed', 'updated', 'verified')
      and resolved_at >= opened_at
      and resolved_at <= {{ as_of() }}
),

items as (
    select
        d.negative_item_id,
        min(d.client_id) as client_id,
        min(d.opened_at) as first_opened_at
    from disputes as d
    group by d.negative_item_id
),

item_outcomes as (
    select
        i.negative_item_id,
        i.client_id,
        i.first_opened_at,
        coalesce(bool_or(
            a.outcome = 'removed'
            and a.resolved_at
                <= {{ dbt.dateadd('day', 'p.removal_window_days', 'i.first_opened_at') }}
        ), false) as is_removed
    from items as i
    cross join params as p
    left join answered as a
        on i.negative_item_id = a.negative_item_id
    group by i.negative_item_id, i.client_id, i.first_opened_at
),

records as (
    select
        'dispute_success_rate' as kpi_id,
        cast({{ utc_to_local('resolved_at') }} as date) as period_date,
        specialist_id,
        client_id,
        case when outcome in ('removed', 'updated') then 1 else 0 end as numerator,
        1 as denominator
    from answered
    union all
    select
        'negative_item_removal_rate',
        cast({{ utc_to_local('first_opened_at') }} as date),
        cast(null as varchar),
        client_id,
        case when is_removed then 1 else 0 end,
        1
    from item_outcomes
),

entities as (
    select kpi_id, period_date, 'company' as entity_type, 'all' as entity_id,
        numerator, denominator
    from records
    union all
    select kpi_id, period_date, 'employee', specialist_id, numerator, denominator
    from records
    where specialist_id is not null
    union all
    select kpi_id, period_date, 'client', client_id, numerator, denominator
    from records
    where client_id is not null
),

scope as (
    {{ client_kpi_scope(scope) }}
),

aggregated as (
    select
        e.kpi_id,
        p.grain,
        e.entity_type,
        e.entity_id,
        p.period_start,
        p.period_end,
        p.period_end_utc,
        p.is_partial,
        sum(e.numerator) as numerator,
        sum(e.denominator) as denominator,
        count(*) as sample_size
    from entities as e
    inner join scope as s
        on e.kpi_id = s.kpi_id and e.entity_type = s.entity_type
    inner join {{ ref('int_kpi_periods') }} as p
        on s.grain = p.grain
        and e.period_date >= p.period_start
        and e.period_date < p.period_end
    group by e.kpi_id, p.grain, e.entity_type, e.entity_id, p.period_start, p.period_end,
        p.period_end_utc, p.is_partial
)

select
    a.kpi_id,
    a.grain,
    a.entity_type,
    a.entity_id,
    a.period_start,
    a.period_end,
    cast(a.numerator as double) as numerator,
    cast(a.denominator as double) as denominator,
    case when a.denominator > 0 then 100.0 * a.numerator / a.denominator end as value,
    a.sample_size,
    a.is_partial,
    -- A cohort is provisional until its maturity window has passed (§1.1, §1.5 C).
    a.kpi_id = 'negative_item_removal_rate'
        and {{ dbt.dateadd('day', 'p.removal_window_days', 'a.period_end_utc') }} > {{ as_of() }}
        as is_provisional,
    false as is_red_override
from aggregated as a
cross join params as p
