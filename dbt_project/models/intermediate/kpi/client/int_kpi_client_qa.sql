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

{{ client_kpi_rollup(scope, {'department': 'department', 'employee': 'employee_id'}) }}
