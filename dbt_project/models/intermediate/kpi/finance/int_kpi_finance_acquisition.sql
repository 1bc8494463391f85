-- cac, cost_per_acquisition and campaign_roi (catalogue §2.1, agg R, company grain, m/q/y).
--   cac = [Σ marketing spend by date + gl(operating_expense) on seed sales_cost_accounts by gl
--     date] / new clients by became_client_at (first time; reactivations are not new clients).
--     It reads the month-end ledger, so only closed months with their ledger loaded count.
--   cost_per_acquisition = Σ marketing spend by date / new clients whose lead_source maps to a
--     paid channel (seed lead_source_channel_map.is_paid).
--   campaign_roi = (attributed revenue − spend) / spend ×100; attributed revenue = Σ amount of
--     opportunities won in P whose lead's lead_source maps to a marketing channel of the map.
-- Test and deleted contacts and the clients of seed excluded_client_ids are excluded (§1.2).
-- A zero denominator gives value null (no_data).
with excluded_clients as (
    select cast(client_id as varchar) as client_id from {{ ref('excluded_client_ids') }}
    where client_id is not null
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
    where not is_test and not is_deleted
      and (client_id is null or client_id not in (select client_id from excluded_clients))
),

channel_map as (
    select * from {{ ref('lead_source_channel_map') }}
),

spend as (
    select * from {{ ref('stg_marketing__spend') }}
    where spend_date <= cast({{ utc_to_local(as_of()) }} as date)
),

coverage as (
    select least(
        (select min(delivered_on) from spend),
        (select min(delivered_on) from contacts)
    ) as first_delivery
),

months as (
    select p.period_start as month_start, p.period_end as month_end, p.is_partial
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    where p.grain = 'month' and p.period_end > c.first_delivery
),

-- New client in P (catalogue §1.3): the client's first became_client_at.
new_clients as (
    select
        c.client_id,
        min(c.became_client_at) as became_client_at,
        arg_min(c.lead_source, c.became_client_at) as lead_source
    from contacts as c
    where c.client_id is not null and c.became_client_at is not null
    group by c.client_id
),

new_clients_monthly as (
    select
        cast({{ dbt.date_trunc('month', utc_to_local('n.became_client_at')) }} as date)
            as month_start,
        count(*) as new_clients,
        count(*) filter (where coalesce(m.is_paid, false)) as new_paid_clients
    from new_clients as n
    left join channel_map as m on n.lead_source = m.lead_source
    where n.became_client_at <= {{ as_of() }}
    group by 1
),

spend_monthly as (
    select
        cast({{ dbt.date_trunc('month', 'spend_date') }} as date) as month_start,
        sum(spend_usd) as spend
    from spend
    group by 1
),

attributed_monthly as (
    select
        cast({{ dbt.date_trunc('month', utc_to_local('o.won_at')) }} as date) as month_start,
        sum(o.amount_usd) as attributed_revenue,
        count(*) as attributed_deals
    from {{ ref('stg_crm__opportunities') }} as o
    inner join contacts as c on o.lead_id = c.contact_id
    inner join channel_map as m on c.lead_source = m.lead_source
    where m.is_marketing
      and o.won_at <= {{ as_of() }}
      and o.amount_usd is not null
    group by 1
),

monthly as (
    select
        mo.month_start,
        not mo.is_partial as is_closed,
        coalesce(g.has_gl, false) as has_gl,
        coalesce(s.spend, 0) as spend,
        coalesce(g.sales_cost, 0) as sales_cost,
        coalesce(n.new_clients, 0) as new_clients,
        coalesce(n.new_paid_clients, 0) as new_paid_clients,
        coalesce(a.attributed_revenue, 0) as attributed_revenue,
        coalesce(a.attributed_deals, 0) as attributed_deals
    from months as mo
    left join {{ ref('int_finance__monthly_gl') }} as g on mo.month_start = g.month_start
    left join spend_monthly as s on mo.month_start = s.month_start
    left join new_clients_monthly as n on mo.month_start = n.month_start
    left join attributed_monthly as a on mo.month_start = a.month_start
),

periods as (
    select grain, period_start, period_end, is_partial
    from {{ ref('int_kpi_periods') }}
    where grain in ('month', 'quarter', 'year')
),

by_period as (
    select
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial,
        count(*) filter (where m.is_closed) as closed_months,
        count(*) filter (where m.is_closed and m.has_gl) as gl_months,
        sum(m.spend) filter (where m.is_closed) as closed_spend,
        sum(m.sales_cost) filter (where m.is_closed) as closed_sales_cost,
        sum(m.new_clients) filter (where m.is_closed) as closed_new_clients,
        sum(m.spend) as spend,
        sum(m.new_clients) as new_clients,
        sum(m.new_paid_clients) as new_paid_clients,
        sum(m.attributed_revenue) as attributed_revenue,
        sum(m.attributed_deals) as attributed_deals
    from periods as p
    inner join monthly as m
        on m.month_start >= p.period_start and m.month_start < p.period_end
    group by p.grain, p.period_start, p.period_end, p.is_partial
),

components as (
    select 'cac' as kpi_id, grain, period_start, period_end, is_partial,
        case when closed_months > 0 and gl_months = closed_months
            then closed_spend + closed_sales_cost end as numerator,
        case when closed_months > 0 and gl_months = closed_months
            then closed_new_clients end as denominator,
        closed_new_clients as sample_size
    from by_period
    union all
    select 'cost_per_acquisition', grain, period_start, period_end, is_partial,
        spend, new_paid_clients, new_paid_clients
    from by_period
    union all
    select 'campaign_roi', grain, period_start, period_end, is_partial,
        attributed_revenue - spend, spend, attributed_deals
    from by_period
)

select
    kpi_id,
    grain,
    'company' as entity_type,
    'all' as entity_id,
    period_start,
    period_end,
    numerator,
    denominator,
    case
        when denominator is null or denominator <= 0 then null
        when kpi_id = 'campaign_roi' then 100.0 * numerator / denominator
        else numerator / denominator
    end as value,
    sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from components
