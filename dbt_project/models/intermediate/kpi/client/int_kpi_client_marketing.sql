-- Marketing counts of the client perspective (catalogue §2.2), agg A at company grain:
--   customer_acquisitions_marketing  clients by became_client_at (first time; one CRM contact
--                                    per client) whose lead_source maps to a marketing channel
--                                    (seed lead_source_channel_map.is_marketing); referrals,
--                                    partner imports and an unknown lead_source are left out.
--                                    m, w, q, y
--   website_sessions                 web sessions by started_at. d, w, m, q, y
-- A count of nothing is 0, not null (§10.5): every listed period from the first day a source
-- covers (its first delivery, or its earliest record when the first delivery carries history)
-- gets a row; periods before that are not delivered at all (no_data by absence).
{% set scope = {
    'customer_acquisitions_marketing': {'grains': ['month', 'week', 'quarter', 'year']},
    'website_sessions': {'grains': ['day', 'week', 'month', 'quarter', 'year']},
} %}

with clients as (
    select
        c.client_id,
        c.lead_source,
        c.became_client_at,
        c.delivered_on,
        cast({{ utc_to_local('c.became_client_at') }} as date) as became_client_on
    from {{ ref('stg_crm__contacts') }} as c
    where c.client_id is not null
      and c.became_client_at is not null
      and not c.is_test
      and not c.is_deleted
      and c.client_id not in (select client_id from {{ ref('int_clients__excluded') }})
      and c.became_client_at <= {{ as_of() }}
),

sessions as (
    select
        session_id,
        delivered_on,
        cast({{ utc_to_local('started_at') }} as date) as started_on
    from {{ ref('stg_marketing__web_sessions') }}
    where started_at <= {{ as_of() }}
),

records as (
    select
        'customer_acquisitions_marketing' as kpi_id,
        c.became_client_on as period_date
    from clients as c
    inner join {{ ref('lead_source_channel_map') }} as m
        on c.lead_source = m.lead_source
    where m.is_marketing
    union all
    select 'website_sessions', started_on
    from sessions
),

coverage as (
    select
        'customer_acquisitions_marketing' as kpi_id,
        least(min(delivered_on), min(became_client_on)) as covered_from
    from clients
    union all
    select 'website_sessions', least(min(delivered_on), min(started_on))
    from sessions
),

scoped_periods as (
    {% for kpi_id, spec in scope.items() %}
    select '{{ kpi_id }}' as kpi_id, p.grain, p.period_start, p.period_end, p.is_partial
    from {{ ref('int_kpi_periods') }} as p
    inner join coverage as c
        on c.kpi_id = '{{ kpi_id }}'
        and p.period_end > c.covered_from
    where p.grain in ('{{ spec["grains"] | join("', '") }}')
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

counted as (
    select p.kpi_id, p.grain, p.period_start, count(*) as records
    from records as r
    inner join scoped_periods as p
        on r.kpi_id = p.kpi_id
        and r.period_date >= p.period_start
        and r.period_date < p.period_end
    group by p.kpi_id, p.grain, p.period_start
),

filled as (
    select
        p.kpi_id,
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial,
        coalesce(c.records, 0) as records
    from scoped_periods as p
    left join counted as c
        on p.kpi_id = c.kpi_id
        and p.grain = c.grain
        and p.period_start = c.period_start
)

select
    kpi_id,
    grain,
    'company' as entity_type,
    'all' as entity_id,
    period_start,
    period_end,
    cast(records as double) as numerator,
    cast(null as double) as denominator,
    cast(records as double) as value,
    records as sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from filled
