-- quality_assurance_score (catalogue §2.2): mean over qa_reviews with review_type =
-- client_interaction, by reviewed_at (business time), of coalesce(score_pct, 100 x (1 - errors /
-- items_reviewed)) (staging's quality_score_pct). agg M at m, w, q, y for the reviewed employee,
-- the employee's HR department and the company. A review without a computable score in
-- [0, 100] (no items, more errors than items) is an accuracy failure and is left out.
{% set scope = {
    'quality_assurance_score': {
        'grains': ['month', 'week', 'quarter', 'year'],
        'entities': ['company', 'department', 'employee'],
    },
} %}

with reviews as (
    select r.*, e.department
    from {{ ref('stg_qa__reviews') }} as r
    left join {{ ref('stg_hr__employees') }} as e
        on r.employee_id = e.employee_id
    where r.review_type = 'client_interaction'
      and r.quality_score_pct between 0 and 100
      and r.reviewed_at <= {{ as_of() }}
),

records as (
    select
        'quality_assurance_score' as kpi_id,
        cast({{ utc_to_local('reviewed_at') }} as date) as period_date,
        employee_id,
        department,
        quality_score_pct as numerator,
        1 as denominator
    from reviews
),

entities as (
    select kpi_id, period_date, 'company' as entity_type, 'all' as entity_id,
        numerator, denominator
    from records
    union all
    select kpi_id, period_date, 'department', department, numerator, denominator
    from records
    where department is not null
    union all
    select kpi_id, period_date, 'employee', employee_id, numerator, denominator
    from records
    where employee_id is not null
),

scope as (
    {{ client_kpi_scope(scope) }}
),

aggregated as (
    select
        e.kpi_id,
        p.grain,
        e.entity_type,
        e.entity_id,
        p.period_start,
        p.period_end,
        p.is_partial,
        sum(e.numerator) as numerator,
        sum(e.denominator) as denominator,
        count(*) as sample_size
    from entities as e
    inner join scope as s
        on e.kpi_id = s.kpi_id and e.entity_type = s.entity_type
    inner join {{ ref('int_kpi_periods') }} as p
        on s.grain = p.grain
        and e.period_date >= p.period_start
        and e.period_date < p.period_end
    group by e.kpi_id, p.grain, e.entity_type, e.entity_id, p.period_start, p.period_end,
        p.is_partial
)

select
    kpi_id,
    grain,
    entity_type,
    entity_id,
    period_start,
    period_end,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    case when denominator > 0 then numerator / denominator end as value,
    sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from aggregated
