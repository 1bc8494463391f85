-- training_completion_rate and skill_assessment_score (catalogue §2.4, §10.10), company,
-- department and employee grain (the employee's department in the master).
-- - training_completion_rate (agg R, m/w/q/y): assignments completed by their due_at
--   (completed_at <= due_at) / assignments, by due_at (business-time date), once due
--   (due_at <= as_of, §10.18). An assignment still open past due is late. Assignments of
--   employees terminated before the due day (termination_date < date(due_at), §10.10) are
--   excluded; a cancelled assignment of an employee who left on or after the due day is late.
-- - skill_assessment_score (agg M, m/q/y): mean assessment_score (0–100) over assignments by
--   completed_at (business-time date), up to as_of. Null scores are excluded, and so are
--   scores outside 0–100 (an accuracy failure of the performance domain, §7.2).
with assignments as (
    select
        t.employee_id,
        e.department,
        cast({{ utc_to_local('t.due_at') }} as date) as due_date,
        cast({{ utc_to_local('t.completed_at') }} as date) as completed_date,
        t.due_at,
        t.completed_at,
        t.assessment_score,
        e.termination_date
    from {{ ref('stg_hr__training_assignments') }} as t
    left join {{ ref('stg_hr__employees') }} as e on t.employee_id = e.employee_id
),

due as (
    select
        employee_id,
        department,
        due_date as period_date,
        coalesce(completed_at <= due_at, false) as is_on_time
    from assignments
    where due_at is not null
      and due_at <= {{ as_of() }}
      and (termination_date is null or termination_date >= due_date)
),

assessed as (
    select employee_id, department, completed_date as period_date, assessment_score
    from assignments
    where completed_at is not null
      and completed_at <= {{ as_of() }}
      and assessment_score between 0 and 100
),

records as (
    select 'training_completion_rate' as kpi_id, period_date, employee_id, department,
        case when is_on_time then 1 else 0 end as amount
    from due
    union all
    select 'skill_assessment_score', period_date, employee_id, department, assessment_score
    from assessed
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
    select min(delivered_on) as first_delivery from {{ ref('stg_hr__training_assignments') }}
),

periods as (
    select p.grain, p.period_start, p.period_end, p.is_partial
    from {{ ref('int_kpi_periods') }} as p
    cross join coverage as c
    where p.grain in ('week', 'month', 'quarter', 'year')
      and p.period_end > c.first_delivery
),

kpi_grains as (
    select 'training_completion_rate' as kpi_id, grain
    from (values ('week'), ('month'), ('quarter'), ('year')) as g (grain)
    union all
    select 'skill_assessment_score', grain
    from (values ('month'), ('quarter'), ('year')) as g (grain)
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

-- Every period has a company row (nothing due or assessed → null value, no_data); departments
-- and employees appear where they have records.
keyed as (
    select g.kpi_id, p.grain, p.period_start, p.period_end, p.is_partial,
        'company' as entity_type, 'all' as entity_id
    from periods as p
    inner join kpi_grains as g on p.grain = g.grain
    union all
    select b.kpi_id, p.grain, p.period_start, p.period_end, p.is_partial, b.entity_type,
        b.entity_id
    from by_period as b
    inner join periods as p on b.grain = p.grain and b.period_start = p.period_start
    inner join kpi_grains as g on b.kpi_id = g.kpi_id and b.grain = g.grain
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
    case when b.records > 0
        then (case when k.kpi_id = 'training_completion_rate' then 100.0 else 1.0 end)
            * b.amount_sum / b.records
    end as value,
    coalesce(b.records, 0) as sample_size,
    k.is_partial,
    false as is_provisional,
    false as is_red_override
from keyed as k
left join by_period as b
    on k.kpi_id = b.kpi_id and k.grain = b.grain and k.period_start = b.period_start
    and k.entity_type = b.entity_type and k.entity_id = b.entity_id
