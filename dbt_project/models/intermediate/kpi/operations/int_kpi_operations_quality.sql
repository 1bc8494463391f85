-- Work-quality KPIs (catalogue §2.3), for the company, each department (the employee's) and each
-- employee:
--   document_processing_accuracy  (1 − Σ errors / Σ count) ×100 over processed document batches
--                                 by processed_on, d/w/m/q/y. Agg R with numerator = Σ (count −
--                                 errors), the documents without an error.
--   error_rate                    Σ errors / Σ items_reviewed ×100 over qa reviews of type
--                                 work_product or quality_control, by reviewed_at, m/w/q/y (R)
--   rework_rate                   Σ rework / Σ items_reviewed ×100, same reviews (R)
--   quality_control_score         mean of coalesce(score_pct, 100 × (1 − errors/items_reviewed))
--                                 over quality_control reviews by reviewed_at, m/w/q/y (M)
-- Impossible rows (errors or rework above the items, negative counts) are accuracy failures
-- (§7.2) and are left out of the KPI they would distort.
with employees as (
    select employee_id, department from {{ ref('stg_hr__employees') }}
),

documents as (
    select
        'document_processing_accuracy' as kpi_id,
        d.employee_id,
        d.processed_on as period_day,
        cast(d.document_count - d.error_count as double) as num,
        cast(d.document_count as double) as den,
        1 as n
    from {{ ref('stg_documents__processed') }} as d
    where d.processed_on is not null
      and d.processed_on <= cast({{ utc_to_local(as_of()) }} as date)
      and d.document_count >= 0
      and d.error_count between 0 and d.document_count
),

reviews as (
    select
        *,
        cast({{ utc_to_local('reviewed_at') }} as date) as period_day
    from {{ ref('stg_qa__reviews') }}
    where reviewed_at is not null
      and reviewed_at <= {{ as_of() }}
      and items_reviewed >= 0
),

review_facts as (
    select 'error_rate' as kpi_id, employee_id, period_day,
        cast(errors as double) as num, cast(items_reviewed as double) as den, 1 as n
    from reviews
    where review_type in ('work_product', 'quality_control')
      and errors between 0 and items_reviewed
    union all
    select 'rework_rate', employee_id, period_day,
        cast(rework as double), cast(items_reviewed as double), 1
    from reviews
    where review_type in ('work_product', 'quality_control')
      and rework between 0 and items_reviewed
    union all
    select 'quality_control_score', employee_id, period_day,
        quality_score_pct, 1.0, 1
    from reviews
    where review_type = 'quality_control'
      and quality_score_pct is not null
      and (score_pct is not null or errors between 0 and items_reviewed)
),

facts as (
    select f.*, e.department
    from (
        select * from documents
        union all
        select * from review_facts
    ) as f
    left join employees as e on f.employee_id = e.employee_id
),

entities as (
    select 'employee' as entity_type, employee_id as entity_id, f.* from facts as f
    where employee_id is not null
    union all
    select 'department', department, f.* from facts as f where department is not null
    union all
    select 'company', 'all', f.* from facts as f
),

periods as (
    select grain, period_start, period_end, is_partial
    from {{ ref('int_kpi_periods') }}
),

by_period as (
    select
        e.kpi_id,
        p.grain,
        e.entity_type,
        e.entity_id,
        p.period_start,
        p.period_end,
        p.is_partial,
        sum(e.num) as numerator,
        sum(e.den) as denominator,
        sum(e.n) as sample_size
    from periods as p
    inner join entities as e
        on e.period_day >= p.period_start and e.period_day < p.period_end
    -- document accuracy at every grain; the review KPIs have no day grain
    where e.kpi_id = 'document_processing_accuracy' or p.grain <> 'day'
    group by all
)

select
    kpi_id,
    grain,
    entity_type,
    entity_id,
    period_start,
    period_end,
    numerator,
    denominator,
    case
        when denominator = 0 then null
        when kpi_id = 'quality_control_score' then numerator / denominator
        else 100.0 * numerator / denominator
    end as value,
    sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from by_period
