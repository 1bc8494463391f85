-- compliance_score and audit_pass_rate (catalogue §2.3, §10.11): compliance audits by audited_at
-- (business time), grains m/q/y, for the company and each audited department.
--   compliance_score  mean audit score 0–100 (agg M: Σ score / audits with a score)
--   audit_pass_rate   count(passed = true) / count(passed not null) ×100 (agg R); an audit
--                     with a null verdict leaves the denominator
with audits as (
    select
        department,
        cast({{ utc_to_local('audited_at') }} as date) as audit_day,
        score,
        passed
    from {{ ref('stg_compliance__audits') }}
    where audited_at is not null
      and audited_at <= {{ as_of() }}
),

facts as (
    select 'compliance_score' as kpi_id, department, audit_day,
        cast(score as double) as num, 1.0 as den
    from audits
    where score between 0 and 100
    union all
    select 'audit_pass_rate', department, audit_day,
        case when passed then 1.0 else 0.0 end, 1.0
    from audits
    where passed is not null
),

entities as (
    select 'department' as entity_type, department as entity_id, f.* from facts as f
    where department is not null
    union all
    select 'company', 'all', f.* from facts as f
),

periods as (
    select grain, period_start, period_end, is_partial
    from {{ ref('int_kpi_periods') }}
    where grain in ('month', 'quarter', 'year')
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
        sum(e.den) as denominator
    from periods as p
    inner join entities as e
        on e.audit_day >= p.period_start and e.audit_day < p.period_end
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
        when kpi_id = 'audit_pass_rate' then 100.0 * numerator / denominator
        else numerator / denominator
    end as value,
    cast(denominator as bigint) as sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from by_period
