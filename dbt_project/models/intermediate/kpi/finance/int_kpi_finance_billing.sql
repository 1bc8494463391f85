-- Billing KPIs over Stripe invoices (catalogue §2.1). Test-mode invoices, invoices of the clients
-- in seed excluded_client_ids, and invoices exported with a negative amount_due (an accuracy
-- failure the DQ checks count) are excluded.
--   payment_accuracy_rate (R; m/q/y; company) = invoices paid in P (by paid_at) with
--     |amount_paid − amount_due| ≤ 0.01 and no refund of reason duplicate or billing_error on
--     any of their charges / invoices paid in P ×100.
--   revenue_collection_rate (C; m/q/y; company) = Σ amount_paid paid by the end of due_date
--     + 30 d / Σ amount_due over non-void invoices by due_date (uncollectible included);
--     provisional until t1 + 30 d.
--   on_time_payment_rate (R; d/w/m/q/y; company, client) = invoices paid by the end of their
--     due_date / non-void invoices by due_date ×100, judged once due_date < the as-of date
--     (§10.10, §10.18); unpaid past due = late.
-- Payments and refunds after as_of are not known yet; periods start at the first invoice
-- delivery (invoices settled before it were never delivered).
with as_of_date as (
    select cast({{ utc_to_local(as_of()) }} as date) as as_of_date
),

-- The collection window (catalogue: 30 d) from seed kpi_params, 30 while the seed lacks it.
params as (
    select cast(coalesce(
        max(value) filter (where parameter = 'collection_window_days'), 30
    ) as integer) as collection_window_days
    from {{ ref('kpi_params') }}
),

-- Stripe customers of the clients in seed excluded_client_ids (catalogue §1.2).
excluded_customers as (
    select c.customer_key
    from {{ ref('stg_crm__contacts') }} as c
    inner join {{ ref('excluded_client_ids') }} as x on c.client_id = cast(x.client_id as varchar)
    where c.customer_key is not null
),

invoices as (
    select
        i.*,
        case when i.paid_at <= {{ as_of() }} then i.paid_at end as known_paid_at
    from {{ ref('stg_stripe__invoices') }} as i
    where not i.is_test
      and coalesce(i.amount_due_usd, 0) >= 0
      and (i.customer_key is null
          or i.customer_key not in (select customer_key from excluded_customers))
),

dated as (
    select
        *,
        cast({{ utc_to_local('known_paid_at') }} as date) as paid_date
    from invoices
),

-- Invoices with a refund that says the billing itself was wrong.
billing_error_invoices as (
    select distinct c.invoice_id
    from {{ ref('stg_stripe__refunds') }} as r
    inner join {{ ref('stg_stripe__charges') }} as c on r.charge_id = c.charge_id
    where r.reason in ('duplicate', 'billing_error')
      and coalesce(r.status, 'succeeded') not in ('failed', 'canceled')
      and r.created_at <= {{ as_of() }}
      and c.invoice_id is not null
),

clients as (
    select customer_key, client_id
    from {{ ref('stg_crm__contacts') }}
    where client_id is not null and customer_key is not null
      and not is_test and not is_deleted
),

-- Periods from the first invoice delivery on: invoices settled before it were never delivered.
coverage as (
    select min(delivered_on) as first_delivery from {{ ref('stg_stripe__invoices') }}
),

periods as (
    select p.*
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    where p.period_end > c.first_delivery
),

paid as (
    select
        d.paid_date,
        -- compared in whole cents, so a one-cent difference is not lost to float error
        abs(round(d.amount_paid_usd - d.amount_due_usd, 2)) <= 0.01
            and b.invoice_id is null as is_accurate
    from dated as d
    left join billing_error_invoices as b on d.invoice_id = b.invoice_id
    where d.paid_date is not null
),

accuracy as (
    select
        'payment_accuracy_rate' as kpi_id,
        p.grain,
        'company' as entity_type,
        'all' as entity_id,
        p.period_start,
        count(*) filter (where a.is_accurate) as numerator,
        count(*) as denominator,
        count(*) as sample_size
    from paid as a
    inner join periods as p on a.paid_date >= p.period_start and a.paid_date < p.period_end
    where p.grain in ('month', 'quarter', 'year')
    group by all
),

due as (
    select
        d.invoice_id,
        d.due_date,
        d.amount_due_usd,
        d.amount_paid_usd,
        d.paid_date,
        c.client_id
    from dated as d
    cross join as_of_date as a
    left join clients as c on d.customer_key = c.customer_key
    where d.status is distinct from 'void'
      and d.due_date is not null
      and d.due_date <= a.as_of_date
),

collection as (
    select
        'revenue_collection_rate' as kpi_id,
        p.grain,
        'company' as entity_type,
        'all' as entity_id,
        p.period_start,
        coalesce(sum(d.amount_paid_usd) filter (
            where d.paid_date <= d.due_date + k.collection_window_days
        ), 0) as numerator,
        sum(d.amount_due_usd) as denominator,
        count(*) as sample_size
    from due as d
    cross join params as k
    inner join periods as p on d.due_date >= p.period_start and d.due_date < p.period_end
    where p.grain in ('month', 'quarter', 'year')
    group by all
),

-- judged once the due day has ended (§10.18)
judged as (
    select d.*, d.paid_date is not null and d.paid_date <= d.due_date as is_on_time
    from due as d
    cross join as_of_date as a
    where d.due_date < a.as_of_date
),

judged_entities as (
    select 'company' as entity_type, 'all' as entity_id, j.* from judged as j
    union all
    select 'client', j.client_id, j.* from judged as j where j.client_id is not null
),

on_time as (
    select
        'on_time_payment_rate' as kpi_id,
        p.grain,
        j.entity_type,
        j.entity_id,
        p.period_start,
        count(*) filter (where j.is_on_time) as numerator,
        count(*) as denominator,
        count(*) as sample_size
    from judged_entities as j
    inner join periods as p on j.due_date >= p.period_start and j.due_date < p.period_end
    group by all
),

components as (
    select * from accuracy
    union all
    select * from collection
    union all
    select * from on_time
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
    case when c.denominator > 0 then 100.0 * c.numerator / c.denominator end as value,
    c.sample_size,
    p.is_partial,
    c.kpi_id = 'revenue_collection_rate'
        and {{ dbt.dateadd('day', 'k.collection_window_days', 'p.period_end_utc') }} > {{ as_of() }}
        as is_provisional,
    false as is_red_override
from components as c
cross join params as k
inner join periods as p on c.grain = p.grain and c.period_start = p.period_start
