-- employee_satisfaction (catalogue §2.4, §1.2), q/m/y, company and department grain (never
-- employee grain). Agg M: numerator = Σ score, denominator = number of responses, value = the
-- mean. Responses of survey_type employee_satisfaction by responded_at (business-time date),
-- up to as_of; a score outside 1–5 is excluded (a survey accuracy failure). A response counts
-- in its respondent's department (stg_hr__employees); the company row counts every response.
-- sample_size = responses, so fct applies the employee-survey minimum (min_n 5 from the seed).
with responses as (
    select
        cast({{ utc_to_local('r.responded_at') }} as date) as responded_date,
        r.score,
        e.department
    from {{ ref('stg_surveys__responses') }} as r
    left join {{ ref('stg_hr__employees') }} as e on r.employee_id = e.employee_id
    where r.survey_type = 'employee_satisfaction'
      and r.is_score_in_scale
      and r.responded_at is not null
      and r.responded_at <= {{ as_of() }}
),

entities as (
    select responded_date, score, 'company' as entity_type, 'all' as entity_id from responses
    union all
    select responded_date, score, 'department', department from responses
    where department is not null
),

coverage as (
    select min(delivered_on) as first_delivery from {{ ref('stg_surveys__responses') }}
),

periods as (
    select p.grain, p.period_start, p.period_end, p.is_partial
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    where p.grain in ('month', 'quarter', 'year')
      and p.period_end > c.first_delivery
),

by_period as (
    select
        p.grain,
        p.period_start,
        e.entity_type,
        e.entity_id,
        sum(e.score) as score_sum,
        count(*) as responses
    from periods as p
    inner join entities as e
        on e.responded_date >= p.period_start and e.responded_date < p.period_end
    group by p.grain, p.period_start, e.entity_type, e.entity_id
),

-- Every period has a company row (no responses → null value, no_data); departments appear
-- where they have responses.
{{ people_kpi_contract('employee_satisfaction', 'b.score_sum', 'b.responses') }}
