-- performance_review_score, peer_review_score and individual_goal_achievement (catalogue
-- §2.4), q/y, employee, department and company grain (the employee's department in the
-- master). Agg M: numerator = Σ value, denominator = n, value = the mean, over
-- performance_reviews by reviewed_at (business-time date), up to as_of.
-- - performance_review_score: mean score (1–5);
-- - peer_review_score: mean peer_score (1–5);
-- - individual_goal_achievement: mean of min(goal_achievement_pct, 100).
-- A null value leaves that KPI only; a value outside its range (scores 1–5, goal achievement
-- 0–300, the §7.2 performance accuracy rules) is an accuracy failure and is excluded too.
with reviews as (
    select
        r.employee_id,
        e.department,
        cast({{ utc_to_local('r.reviewed_at') }} as date) as period_date,
        r.score,
        r.peer_score,
        r.goal_achievement_pct
    from {{ ref('stg_hr__performance_reviews') }} as r
    left join {{ ref('stg_hr__employees') }} as e on r.employee_id = e.employee_id
    where r.reviewed_at is not null
      and r.reviewed_at <= {{ as_of() }}
),

records as (
    select 'performance_review_score' as kpi_id, period_date, employee_id, department,
        score as amount
    from reviews
    where score between 1 and 5
    union all
    select 'peer_review_score', period_date, employee_id, department, peer_score
    from reviews
    where peer_score between 1 and 5
    union all
    select 'individual_goal_achievement', period_date, employee_id, department,
        least(goal_achievement_pct, 100)
    from reviews
    where goal_achievement_pct between 0 and 300
),

entities as (
    select kpi_id, period_date, amount, 'company' as entity_type, 'all' as entity_id
    from records
    union all
    select kpi_id, period_date, amount, 'department', department from records
    where department is not null
    union all
    select kpi_id, period_date, amount, 'employee', employee_id from records
    where employee_id is not null
),

coverage as (
    select min(delivered_on) as first_delivery from {{ ref('stg_hr__performance_reviews') }}
),

periods as (
    select p.grain, p.period_start, p.period_end, p.is_partial
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    where p.grain in ('quarter', 'year')
      and p.period_end > c.first_delivery
),

kpis as (
    select kpi_id
    from (values ('performance_review_score'), ('peer_review_score'),
        ('individual_goal_achievement')) as k (kpi_id)
),

by_period as (
    select
        e.kpi_id,
        p.grain,
        p.period_start,
        e.entity_type,
        e.entity_id,
        sum(e.amount) as amount_sum,
        count(*) as records
    from periods as p
    inner join entities as e
        on e.period_date >= p.period_start and e.period_date < p.period_end
    group by e.kpi_id, p.grain, p.period_start, e.entity_type, e.entity_id
),

-- Every period has a company row (no review → null value, no_data); departments and employees
-- appear where they have reviews.
keyed as (
    select k.kpi_id, p.grain, p.period_start, p.period_end, p.is_partial,
        'company' as entity_type, 'all' as entity_id
    from periods as p
    cross join kpis as k
    union all
    select b.kpi_id, p.grain, p.period_start, p.period_end, p.is_partial, b.entity_type,
        b.entity_id
    from by_period as b
    inner join periods as p on b.grain = p.grain and b.period_start = p.period_start
    where b.entity_type <> 'company'
)

select
    k.kpi_id,
    k.grain,
    k.entity_type,
    k.entity_id,
    k.period_start,
    k.period_end,
    coalesce(b.amount_sum, 0) as numerator,
    coalesce(b.records, 0) as denominator,
    case when b.records > 0 then 1.0 * b.amount_sum / b.records end as value,
    coalesce(b.records, 0) as sample_size,
    k.is_partial,
    false as is_provisional,
    false as is_red_override
from keyed as k
left join by_period as b
    on k.kpi_id = b.kpi_id and k.grain = b.grain and k.period_start = b.period_start
    and k.entity_type = b.entity_type and k.entity_id = b.entity_id
