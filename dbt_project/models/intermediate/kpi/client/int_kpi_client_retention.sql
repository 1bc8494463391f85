-- client_retention_rate and client_churn_rate (catalogue §2.2, §1.3, §10.1, §10.2):
-- client-level counts per period from int_clients__activity. A client is active at an instant
-- t when it is active just before t (active_from < t <= active_to), the reading of §10.1 for
-- "at t1" applied to t0 as well, so S of a period is E of the one before and every end of
-- activity counts as lost in the period it falls in (as int_finance__client_activity_monthly).
--   S = active at t0, E = active at t1 (at as_of in the open period),
--   N = not active at t0 and active at t1, L = active at t0 and not active at t1.
-- client_retention_rate = (E - N) / S x 100 (= (S - L) / S); client_churn_rate = L / S x 100.
-- Both are agg X at m, q, y and company grain; fct_kpi_observations annualises them before RAG
-- (seed kpi_definitions.annualisation). S = 0 gives a null value (no_data).
{% set grains = ['month', 'quarter', 'year'] %}

with activity as (
    select * from {{ ref('int_clients__activity') }}
),

periods as (
    select *
    from {{ ref('int_kpi_periods') }}
    where grain in ('{{ grains | join("', '") }}')
),

client_states as (
    select
        p.grain,
        p.period_start,
        a.client_id,
        bool_or(
            a.active_from < p.period_start_utc
            and coalesce(a.active_to, cast('9999-12-31' as timestamp)) >= p.period_start_utc
        ) as is_active_at_start,
        bool_or(
            a.active_from < p.evaluated_at_utc
            and coalesce(a.active_to, cast('9999-12-31' as timestamp)) >= p.evaluated_at_utc
        ) as is_active_at_end
    from periods as p
    inner join activity as a
        on a.active_from < p.evaluated_at_utc
        and coalesce(a.active_to, cast('9999-12-31' as timestamp)) >= p.period_start_utc
    group by p.grain, p.period_start, a.client_id
),

counts as (
    select
        grain,
        period_start,
        count(*) filter (where is_active_at_start) as clients_at_start,
        count(*) filter (where is_active_at_end) as clients_at_end,
        count(*) filter (where not is_active_at_start and is_active_at_end) as clients_gained,
        count(*) filter (where is_active_at_start and not is_active_at_end) as clients_lost
    from client_states
    group by grain, period_start
),

periods_with_counts as (
    select
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial,
        coalesce(c.clients_at_start, 0) as clients_at_start,
        coalesce(c.clients_at_end, 0) as clients_at_end,
        coalesce(c.clients_gained, 0) as clients_gained,
        coalesce(c.clients_lost, 0) as clients_lost
    from periods as p
    left join counts as c
        on p.grain = c.grain and p.period_start = c.period_start
),

kpis as (
    select
        'client_retention_rate' as kpi_id,
        *,
        clients_at_end - clients_gained as numerator
    from periods_with_counts
    union all
    select
        'client_churn_rate' as kpi_id,
        *,
        clients_lost as numerator
    from periods_with_counts
)

select
    kpi_id,
    grain,
    'company' as entity_type,
    'all' as entity_id,
    period_start,
    period_end,
    cast(numerator as double) as numerator,
    cast(clients_at_start as double) as denominator,
    case when clients_at_start > 0 then 100.0 * numerator / clients_at_start end as value,
    clients_at_start as sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from kpis
