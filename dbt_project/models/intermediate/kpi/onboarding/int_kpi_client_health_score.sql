-- client_health_score (catalogue §2.2, §5, agg P) from mart_client_health:
--   client grain, day: the client's score that day (the end-of-day score, as_of for today, or
--       the frozen final score on the handoff day).
--   company grain, day / week / month: the mean score over the onboardings in onboarding at t1
--       (the end-of-day rows of the period's last day, or of today in the open period), with
--       the share of them in each band (extra columns; fct reads the contract columns only).
-- numerator = Σ score, denominator = clients scored, value = mean; no client in onboarding at
-- t1 gives a null value (no_data).
with health as (
    select * from {{ ref('mart_client_health') }}
),

coverage as (
    select min(coverage_start) as first_delivery from {{ ref('int_onboarding__instances') }}
),

periods as (
    select p.*
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    where p.grain in ('day', 'week', 'month')
      and p.period_end > c.first_delivery
),

as_of_day as (
    select cast({{ utc_to_local(as_of()) }} as date) as as_of_date
),

company as (
    select
        p.grain,
        p.period_start,
        sum(h.health_score) as score_sum,
        count(h.health_score) as clients,
        count(*) filter (where h.health_band = 'green') as clients_green,
        count(*) filter (where h.health_band = 'yellow') as clients_yellow,
        count(*) filter (where h.health_band = 'red') as clients_red
    from periods as p
    cross join as_of_day as a
    inner join health as h
        on h.score_date = least(cast(p.period_end - interval 1 day as date), a.as_of_date)
        and not h.is_final_at_handoff
    group by p.grain, p.period_start
),

company_rows as (
    select
        'company' as entity_type,
        'all' as entity_id,
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial,
        c.score_sum as numerator,
        coalesce(c.clients, 0) as denominator,
        case when c.clients > 0 then c.score_sum / c.clients end as value,
        coalesce(c.clients, 0) as sample_size,
        case when c.clients > 0 then 100.0 * c.clients_green / c.clients end as share_green,
        case when c.clients > 0 then 100.0 * c.clients_yellow / c.clients end as share_yellow,
        case when c.clients > 0 then 100.0 * c.clients_red / c.clients end as share_red
    from periods as p
    left join company as c on p.grain = c.grain and p.period_start = c.period_start
),

client_days as (
    select *
    from health
    qualify row_number() over (
        partition by client_id, score_date
        order by is_final_at_handoff desc, contract_signed_at desc
    ) = 1
),

client_rows as (
    select
        'client' as entity_type,
        h.client_id as entity_id,
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial,
        h.health_score as numerator,
        1 as denominator,
        h.health_score as value,
        1 as sample_size,
        case when h.health_band = 'green' then 100.0 else 0.0 end as share_green,
        case when h.health_band = 'yellow' then 100.0 else 0.0 end as share_yellow,
        case when h.health_band = 'red' then 100.0 else 0.0 end as share_red
    from client_days as h
    inner join periods as p
        on p.grain = 'day' and h.score_date = p.period_start
),

unioned as (
    select * from company_rows
    union all
    select * from client_rows
)

select
    'client_health_score' as kpi_id,
    grain,
    entity_type,
    cast(entity_id as varchar) as entity_id,
    period_start,
    period_end,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(value as double) as value,
    cast(sample_size as bigint) as sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override,
    share_green,
    share_yellow,
    share_red
from unioned
