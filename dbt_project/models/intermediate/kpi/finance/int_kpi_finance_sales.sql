-- Sales KPIs over CRM opportunities (catalogue §2.1):
--   sales_target_achievement (R; m/q/y; company, department, agent) = Σ amount won in P
--     (by won_at; agent grain: owner_id; department: the owner's HR department) / Σ seed
--     sales_targets.amount for the same period and entity ×100. No target row → value null.
--   average_deal_size (M; m/q/y; company, agent) = Σ amount / count over opportunities won in
--     P with a non-null amount.
--   open_pipeline_value (P; d/w/m/q/y; company, agent) = Σ amount of qualified opportunities
--     created before t1 and neither won nor lost before t1 (read at as_of in an open period),
--     from the first CRM delivery on.
-- Opportunities of test or deleted leads and of seed excluded_client_ids clients are excluded.
with excluded_clients as (
    select cast(client_id as varchar) as client_id from {{ ref('excluded_client_ids') }}
    where client_id is not null
),

opportunities as (
    select o.*
    from {{ ref('stg_crm__opportunities') }} as o
    left join {{ ref('stg_crm__contacts') }} as c on o.lead_id = c.contact_id
    where not coalesce(c.is_test or c.is_deleted, false)
      and (c.client_id is null or c.client_id not in (select client_id from excluded_clients))
),

employees as (
    select employee_id, department from {{ ref('stg_hr__employees') }}
),

periods as (
    select * from {{ ref('int_kpi_periods') }}
),

won as (
    select
        o.opportunity_id,
        o.owner_id,
        e.department,
        o.amount_usd,
        cast({{ utc_to_local('o.won_at') }} as date) as won_date
    from opportunities as o
    left join employees as e on o.owner_id = e.employee_id
    where o.won_at is not null
      and o.won_at <= {{ as_of() }}
),

won_entities as (
    select 'company' as entity_type, 'all' as entity_id, w.* from won as w
    union all
    select 'department', w.department, w.* from won as w where w.department is not null
    union all
    select 'agent', w.owner_id, w.* from won as w where w.owner_id is not null
),

won_by_period as (
    select
        p.grain,
        p.period_start,
        w.entity_type,
        w.entity_id,
        sum(w.amount_usd) as won_amount,
        count(w.amount_usd) as won_deals
    from won_entities as w
    inner join periods as p
        on w.won_date >= p.period_start and w.won_date < p.period_end
    where p.grain in ('month', 'quarter', 'year')
    group by all
),

targets_by_period as (
    select
        p.grain,
        p.period_start,
        t.entity_type,
        cast(t.entity_id as varchar) as entity_id,
        sum(t.amount) as target_amount
    from {{ ref('sales_targets') }} as t
    inner join periods as p
        on t.period_start >= p.period_start and t.period_start < p.period_end
    where p.grain in ('month', 'quarter', 'year')
    group by all
),

achievement as (
    select
        coalesce(w.grain, t.grain) as grain,
        coalesce(w.period_start, t.period_start) as period_start,
        coalesce(w.entity_type, t.entity_type) as entity_type,
        coalesce(w.entity_id, t.entity_id) as entity_id,
        coalesce(w.won_amount, 0) as won_amount,
        coalesce(w.won_deals, 0) as won_deals,
        t.target_amount
    from won_by_period as w
    full outer join targets_by_period as t
        on w.grain = t.grain
        and w.period_start = t.period_start
        and w.entity_type = t.entity_type
        and w.entity_id = t.entity_id
),

-- Open pipeline just before t1 (or at as_of): created before, not yet won or lost.
coverage as (
    select min(delivered_on) as first_delivery from {{ ref('stg_crm__opportunities') }}
),

pipeline_periods as (
    select p.*
    from periods as p
    cross join coverage as c
    where p.period_end > c.first_delivery
),

open_opportunities as (
    select
        p.grain,
        p.period_start,
        o.owner_id,
        o.amount_usd
    from pipeline_periods as p
    inner join opportunities as o
        on o.created_at < p.evaluated_at_utc
        and coalesce(o.won_at, o.lost_at, cast('9999-12-31' as timestamp)) >= p.evaluated_at_utc
    where o.is_qualified
      and (o.won_at is null or o.won_at >= p.evaluated_at_utc)
      and (o.lost_at is null or o.lost_at >= p.evaluated_at_utc)
),

pipeline_company as (
    select
        p.grain,
        p.period_start,
        'company' as entity_type,
        'all' as entity_id,
        coalesce(sum(o.amount_usd), 0) as pipeline,
        count(o.amount_usd) as deals
    from pipeline_periods as p
    left join open_opportunities as o
        on p.grain = o.grain and p.period_start = o.period_start
    group by all
),

pipeline_agent as (
    select
        grain,
        period_start,
        'agent' as entity_type,
        owner_id as entity_id,
        coalesce(sum(amount_usd), 0) as pipeline,
        count(amount_usd) as deals
    from open_opportunities
    where owner_id is not null
    group by all
),

components as (
    select
        'sales_target_achievement' as kpi_id, grain, entity_type, entity_id, period_start,
        won_amount as numerator,
        target_amount as denominator,
        case when target_amount > 0 then 100.0 * won_amount / target_amount end as value,
        won_deals as sample_size
    from achievement
    union all
    select
        'average_deal_size', grain, entity_type, entity_id, period_start,
        won_amount, won_deals,
        case when won_deals > 0 then won_amount / won_deals end,
        won_deals
    from won_by_period
    where entity_type in ('company', 'agent')
    union all
    select 'open_pipeline_value', grain, entity_type, entity_id, period_start,
        pipeline, cast(null as double), pipeline, deals
    from pipeline_company
    union all
    select 'open_pipeline_value', grain, entity_type, entity_id, period_start,
        pipeline, cast(null as double), pipeline, deals
    from pipeline_agent
)

select
    c.kpi_id,
    c.grain,
    c.entity_type,
    c.entity_id,
    c.period_start,
    p.period_end,
    c.numerator,
    c.denominator,
    c.value,
    c.sample_size,
    p.is_partial,
    false as is_provisional,
    false as is_red_override
from components as c
inner join periods as p on c.grain = p.grain and c.period_start = p.period_start
