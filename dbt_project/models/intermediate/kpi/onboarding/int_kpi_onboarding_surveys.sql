-- Onboarding survey KPIs, dated by responded_at; only in-scale scores of clients that are not
-- excluded count (§1.2, §1.3). sample_size = responses, so fct applies min_n (10):
--   onboarding_csat (M, m/w/q/y, co + emp): mean score of survey_type = onboarding_satisfaction
--       (0-10), Day-7, Week-2 and Month-1 surveys alike. The employee is the CSM of the
--       respondent's onboarding (the latest one signed at or before the response).
--   nps_onboarding (R, m/q/y, co): (promoters 9-10 − detractors 0-6) / responses ×100 over
--       survey_type = nps responses with responded_at ∈ [contract_signed_at, ob_end + 7 d] of
--       the respondent's onboarding.
{% set nps_grace_days = 7 %}

with instances as (
    select client_id, contract_signed_at, csm_id, ob_end
    from {{ ref('int_onboarding__instances') }}
),

responses as (
    select response_id, client_id, survey_type, score, responded_at
    from {{ ref('stg_surveys__responses') }}
    where survey_type in ('onboarding_satisfaction', 'nps')
      and is_score_in_scale
      and client_id is not null
      and responded_at <= {{ as_of() }}
      and client_id not in (select client_id from {{ ref('int_clients__excluded') }})
),

satisfaction as (
    select
        r.response_id,
        r.responded_at,
        r.score,
        o.csm_id
    from responses as r
    left join instances as o
        on r.client_id = o.client_id
        and o.contract_signed_at <= r.responded_at
    where r.survey_type = 'onboarding_satisfaction'
    qualify row_number() over (
        partition by r.response_id order by o.contract_signed_at desc nulls last
    ) = 1
),

onboarding_nps as (
    select distinct
        r.response_id,
        r.responded_at,
        r.score
    from responses as r
    inner join instances as o
        on r.client_id = o.client_id
        and r.responded_at >= o.contract_signed_at
        and r.responded_at <= o.ob_end + to_days({{ nps_grace_days }})
    where r.survey_type = 'nps'
),

records as (
    select
        'onboarding_csat' as kpi_id,
        cast({{ utc_to_local('responded_at') }} as date) as record_date,
        csm_id as employee_id,
        cast(null as varchar) as client_id,
        score as numerator,
        1 as denominator
    from satisfaction

    union all

    select
        'nps_onboarding',
        cast({{ utc_to_local('responded_at') }} as date),
        null,
        null,
        case when score >= 9 then 1 when score <= 6 then -1 else 0 end,
        1
    from onboarding_nps
)

{{ onboarding_kpi_components('records', [
    {'kpi_id': 'onboarding_csat', 'scale': 1},
    {'kpi_id': 'nps_onboarding', 'scale': 100},
], "(select min(coverage_start) from " ~ ref('int_onboarding__instances') ~ ")") }}
