-- Client survey KPIs (catalogue §2.2), by responded_at in business time:
--   nps_company  R  (promoters 9-10 - detractors 0-6) / responses x 100 over survey_type = nps,
--                   every client response (onboarding-window ones included); m, q, y, company
--   csat         M  mean score of survey_type = csat (1-5); m, w, q, y, company and department
--                   (the HR department of the assignee of the ticket the survey was sent for)
-- Only client responses (client_id set, client not excluded) within their scale count (§1.3);
-- sample_size is the number of responses, from which fct_kpi_observations applies min_n (§1.2).
{% set scope = {
    'nps_company': {'grains': ['month', 'quarter', 'year'], 'entities': ['company']},
    'csat': {'grains': ['month', 'week', 'quarter', 'year'], 'entities': ['company', 'department']},
} %}

with responses as (
    select *
    from {{ ref('stg_surveys__responses') }}
    where survey_type in ('nps', 'csat')
      and client_id is not null
      and client_id not in (select client_id from {{ ref('int_clients__excluded') }})
      and is_score_in_scale
      and responded_at <= {{ as_of() }}
),

ticket_departments as (
    select t.ticket_id, e.department
    from {{ ref('stg_support__tickets') }} as t
    inner join {{ ref('stg_hr__employees') }} as e
        on t.assignee_id = e.employee_id
),

records as (
    select
        'nps_company' as kpi_id,
        cast({{ utc_to_local('r.responded_at') }} as date) as period_date,
        cast(null as varchar) as department,
        case when r.score >= 9 then 1 when r.score <= 6 then -1 else 0 end as numerator,
        1 as denominator
    from responses as r
    where r.survey_type = 'nps'
    union all
    select
        'csat',
        cast({{ utc_to_local('r.responded_at') }} as date),
        d.department,
        r.score,
        1
    from responses as r
    left join ticket_departments as d
        on r.ticket_id = d.ticket_id
    where r.survey_type = 'csat'
),

{{ client_kpi_rollup(scope, {'department': 'department'}, ['nps_company']) }}
