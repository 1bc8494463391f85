-- Lead KPIs (catalogue §2.3, §1.3 "lead" = a CRM contact dated by created_at), company grain
-- unless stated, every period from the first delivery of the source on (§10.5: a loaded source
-- with no records in a period is a real 0 for the counts):
--   leads_generated               count of leads by created_at, d/w/m/q/y (agg A). Excludes
--                                 test and deleted contacts, contacts created as existing clients
--                                 (became_client_at ≤ created_at) and seed-excluded sources
--                                 (lead_source_channel_map.is_excluded_import); a lead whose email
--                                 or phone already belongs to an earlier lead is not counted again.
--   qualified_leads_generated     count of distinct leads whose first qualified opportunity was
--                                 created in P, d/w/m/q/y (agg A); test/deleted leads excluded.
--   lead_to_sale_conversion_rate  cohort of leads by created_at (same exclusions, no dedup),
--                                 m/q/y, company and owning agent (agg C). Converted when
--                                 coalesce(became_client_at, first won_at of its opportunities)
--                                 ≤ created_at + conversion_window_days (kpi_params, 90) and
--                                 ≤ as_of. Provisional until period_end + the window ≤ as_of.
--   website_lead_conversion_rate  lead forms by submitted_at / web sessions by started_at ×100,
--                                 d/w/m/q/y (agg R).
with params as (
    select max(value) filter (where parameter = 'conversion_window_days') as conversion_window_days
    from {{ ref('kpi_params') }}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

coverage as (
    select
        (select min(delivered_on) from contacts) as contacts_from,
        (select min(delivered_on) from opportunities) as opportunities_from,
        least(
            (select min(delivered_on) from {{ ref('stg_marketing__web_sessions') }}),
            (select min(delivered_on) from {{ ref('stg_marketing__lead_forms') }})
        ) as web_from
),

leads as (
    select
        c.contact_id,
        c.owner_id,
        c.created_at,
        c.became_client_at,
        c.email_key,
        c.phone_key,
        cast({{ utc_to_local('c.created_at') }} as date) as created_day
    from contacts as c
    left join {{ ref('lead_source_channel_map') }} as m on c.lead_source = m.lead_source
    where not c.is_test
      and not c.is_deleted
      and c.created_at is not null
      and c.created_at <= {{ as_of() }}
      and not coalesce(m.is_excluded_import, false)
      and not coalesce(c.became_client_at <= c.created_at, false)
),

-- A lead is new unless an earlier lead has the same email or the same phone.
deduplicated as (
    select
        *,
        case when email_key is not null then row_number() over (
            partition by email_key order by created_at, contact_id
        ) end as email_rank,
        case when phone_key is not null then row_number() over (
            partition by phone_key order by created_at, contact_id
        ) end as phone_rank
    from leads
),

first_won as (
    select lead_id, min(won_at) as first_won_at
    from opportunities
    where won_at is not null
    group by lead_id
),

cohort as (
    select
        l.*,
        coalesce(l.became_client_at, w.first_won_at) as converted_at,
        coalesce(l.became_client_at, w.first_won_at) <= least(
            l.created_at + to_days(cast(p.conversion_window_days as integer)), {{ as_of() }}
        ) as is_converted
    from leads as l
    cross join params as p
    left join first_won as w on l.contact_id = w.lead_id
),

first_qualified as (
    select
        o.lead_id,
        cast({{ utc_to_local('min(o.created_at)') }} as date) as qualified_day
    from opportunities as o
    left join contacts as c on o.lead_id = c.contact_id
    where o.is_qualified
      and o.created_at is not null
      and o.created_at <= {{ as_of() }}
      and not coalesce(c.is_test or c.is_deleted, false)
    group by o.lead_id
),

-- Sessions and forms per local day first (the biggest inputs), then rolled up to each grain.
web as (
    select period_day, sum(sessions) as sessions, sum(forms) as forms
    from (
        select
            cast({{ utc_to_local('started_at') }} as date) as period_day,
            1 as sessions,
            0 as forms
        from {{ ref('stg_marketing__web_sessions') }}
        where started_at is not null and started_at <= {{ as_of() }}
        union all
        select
            cast({{ utc_to_local('submitted_at') }} as date),
            0,
            1
        from {{ ref('stg_marketing__lead_forms') }}
        where submitted_at is not null and submitted_at <= {{ as_of() }}
    )
    group by period_day
),

periods as (
    select p.*
    from {{ ref('int_kpi_periods') }} as p
),

leads_generated as (
    select
        'leads_generated' as kpi_id,
        p.grain, 'company' as entity_type, 'all' as entity_id,
        p.period_start, p.period_end, p.is_partial,
        count(d.contact_id) as numerator,
        cast(null as double) as denominator,
        count(d.contact_id) as value,
        count(d.contact_id) as sample_size,
        false as is_provisional
    from periods as p
    cross join coverage as v
    left join deduplicated as d
        on d.created_day >= p.period_start and d.created_day < p.period_end
        and coalesce(d.email_rank, 1) = 1
        and coalesce(d.phone_rank, 1) = 1
    where p.period_end > v.contacts_from
    group by all
),

qualified_leads_generated as (
    select
        'qualified_leads_generated' as kpi_id,
        p.grain, 'company' as entity_type, 'all' as entity_id,
        p.period_start, p.period_end, p.is_partial,
        count(q.lead_id) as numerator,
        cast(null as double) as denominator,
        count(q.lead_id) as value,
        count(q.lead_id) as sample_size,
        false as is_provisional
    from periods as p
    cross join coverage as v
    left join first_qualified as q
        on q.qualified_day >= p.period_start and q.qualified_day < p.period_end
    where p.period_end > v.opportunities_from
    group by all
),

cohort_entities as (
    select 'company' as entity_type, 'all' as entity_id, c.* from cohort as c
    union all
    select 'agent', owner_id, c.* from cohort as c where owner_id is not null
),

conversion as (
    select
        'lead_to_sale_conversion_rate' as kpi_id,
        p.grain, c.entity_type, c.entity_id,
        p.period_start, p.period_end, p.is_partial,
        count(*) filter (where c.is_converted) as numerator,
        count(*) as denominator,
        100.0 * count(*) filter (where c.is_converted) / count(*) as value,
        count(*) as sample_size,
        any_value(
            p.period_end_utc + to_days(cast(pr.conversion_window_days as integer)) > {{ as_of() }}
        ) as is_provisional
    from periods as p
    cross join coverage as v
    cross join params as pr
    inner join cohort_entities as c
        on c.created_day >= p.period_start and c.created_day < p.period_end
    where p.grain in ('month', 'quarter', 'year')
      and p.period_end > v.contacts_from
    group by p.grain, c.entity_type, c.entity_id, p.period_start, p.period_end, p.is_partial
),

website as (
    select
        'website_lead_conversion_rate' as kpi_id,
        p.grain, 'company' as entity_type, 'all' as entity_id,
        p.period_start, p.period_end, p.is_partial,
        sum(w.forms) as numerator,
        sum(w.sessions) as denominator,
        case when sum(w.sessions) > 0 then 100.0 * sum(w.forms) / sum(w.sessions) end as value,
        sum(w.sessions) as sample_size,
        false as is_provisional
    from periods as p
    cross join coverage as v
    inner join web as w
        on w.period_day >= p.period_start and w.period_day < p.period_end
    where p.period_end > v.web_from
    group by all
)

select
    kpi_id, grain, entity_type, entity_id, period_start, period_end,
    numerator, denominator, value, sample_size,
    is_partial, is_provisional, false as is_red_override
from leads_generated
union all
select
    kpi_id, grain, entity_type, entity_id, period_start, period_end,
    numerator, denominator, value, sample_size,
    is_partial, is_provisional, false
from qualified_leads_generated
union all
select
    kpi_id, grain, entity_type, entity_id, period_start, period_end,
    numerator, denominator, value, sample_size,
    is_partial, is_provisional, false
from conversion
union all
select
    kpi_id, grain, entity_type, entity_id, period_start, period_end,
    numerator, denominator, value, sample_size,
    is_partial, is_provisional, false
from website
