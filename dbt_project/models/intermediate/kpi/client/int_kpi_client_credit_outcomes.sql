-- Credit-outcome KPIs of the client perspective (catalogue §2.2, §1.3), m, q, y:
--   avg_credit_score_increase     M  clients by outcome_at with >= 1 bureau that has a
--                                    baseline and a later score; client increase = mean over
--                                    those bureaus of (latest score with as_of <= outcome_at -
--                                    baseline); KPI = mean of client increases. Company grain,
--                                    and client grain "to date": the latest score with as_of <=
--                                    t1 of each period, from the client's first later score to
--                                    the period of its last pull.
--   time_to_first_improvement     M  mean dy(became_client_at, first_improvement_at) by
--                                    first_improvement_at = min(first resolved_at of a removed /
--                                    updated dispute, first pull day where a bureau's score >
--                                    its baseline), counting only improvements at or after
--                                    became_client_at (a pull dated before the signature is no
--                                    improvement by the agency). Company grain.
--   client_goal_achievement_rate  R  clients by outcome_at with a goal_score; achieved = mean
--                                    over bureaus of the latest score at outcome_at >= goal_score,
--                                    or goal_achieved_at <= outcome_at. Company grain.
-- outcome_at(c) = min(became_client_at + outcome_horizon_days (seed kpi_params, 182), the first
-- churn_at after became_client_at (int_clients__activity)); a client enters a period once its
-- outcome_at is in the period and at or before as_of. baseline(c, b) = the earliest score with
-- as_of in [became_client_at - 30 d, + 14 d] (business-time dates). Scores outside [300, 850]
-- are left out; a score pull (a date) counts as the start of that day in business time.
{% set scope = {
    'avg_credit_score_increase': {
        'grains': ['month', 'quarter', 'year'], 'entities': ['company', 'client'],
    },
    'time_to_first_improvement': {
        'grains': ['month', 'quarter', 'year'], 'entities': ['company'],
    },
    'client_goal_achievement_rate': {
        'grains': ['month', 'quarter', 'year'], 'entities': ['company'],
    },
} %}

with params as (
    select cast(max(value) filter (where parameter = 'outcome_horizon_days') as integer)
        as outcome_horizon_days
    from {{ ref('kpi_params') }}
),

contacts as (
    select
        client_id,
        became_client_at,
        cast({{ utc_to_local('became_client_at') }} as date) as became_client_on,
        goal_score,
        goal_achieved_at
    from {{ ref('stg_crm__contacts') }}
    where client_id is not null
      and became_client_at is not null
      and not is_test
      and not is_deleted
      and client_id not in (select client_id from {{ ref('int_clients__excluded') }})
),

first_churn as (
    select c.client_id, min(a.active_to) as churn_at
    from contacts as c
    inner join {{ ref('int_clients__activity') }} as a
        on c.client_id = a.client_id
        and a.active_to > c.became_client_at
    group by c.client_id
),

clients as (
    select
        c.*,
        least(
            {{ dbt.dateadd('day', 'p.outcome_horizon_days', 'c.became_client_at') }},
            coalesce(f.churn_at, cast('9999-12-31' as timestamp))
        ) as outcome_at
    from contacts as c
    cross join params as p
    left join first_churn as f on c.client_id = f.client_id
),

clients_with_outcome as (
    select *, cast({{ utc_to_local('outcome_at') }} as date) as outcome_on
    from clients
    where outcome_at <= {{ as_of() }}
),

scores as (
    select s.client_id, s.bureau, s.score, s.as_of as pulled_on, s.score_id
    from {{ ref('stg_disputes__credit_scores') }} as s
    inner join contacts as c on s.client_id = c.client_id
    where s.is_score_in_range
      and s.as_of <= cast({{ utc_to_local(as_of()) }} as date)
),

baselines as (
    select s.client_id, s.bureau, s.score as baseline_score, s.pulled_on as baseline_on
    from scores as s
    inner join contacts as c on s.client_id = c.client_id
    where s.pulled_on >= {{ dbt.dateadd('day', -30, 'c.became_client_on') }}
      and s.pulled_on <= {{ dbt.dateadd('day', 14, 'c.became_client_on') }}
    qualify row_number() over (
        partition by s.client_id, s.bureau order by s.pulled_on, s.score_id
    ) = 1
),

-- Scores after the baseline, each valid until the bureau's next pull (for "latest as_of <= t").
later_scores as (
    select
        s.client_id,
        s.bureau,
        s.score,
        s.pulled_on,
        b.baseline_score,
        lead(s.pulled_on) over (
            partition by s.client_id, s.bureau order by s.pulled_on, s.score_id
        ) as next_pulled_on
    from scores as s
    inner join baselines as b
        on s.client_id = b.client_id and s.bureau = b.bureau
    where s.pulled_on > b.baseline_on
),

-- avg_credit_score_increase, company grain: the increase of each bureau at outcome_at.
outcome_increases as (
    select
        c.client_id,
        c.outcome_on,
        avg(l.score - l.baseline_score) as client_increase
    from clients_with_outcome as c
    inner join later_scores as l
        on c.client_id = l.client_id
        and l.pulled_on <= c.outcome_on
        and (l.next_pulled_on is null or l.next_pulled_on > c.outcome_on)
    group by c.client_id, c.outcome_on
),

-- client_goal_achievement_rate: mean over bureaus of the latest score at outcome_at.
latest_at_outcome as (
    select c.client_id, s.bureau, s.score
    from clients_with_outcome as c
    inner join scores as s
        on c.client_id = s.client_id
        and s.pulled_on <= c.outcome_on
    qualify row_number() over (
        partition by c.client_id, s.bureau order by s.pulled_on desc, s.score_id desc
    ) = 1
),

goals as (
    select
        c.client_id,
        c.outcome_on,
        coalesce(c.goal_achieved_at <= c.outcome_at, false)
            or coalesce(avg(l.score) >= c.goal_score, false) as is_achieved
    from clients_with_outcome as c
    left join latest_at_outcome as l on c.client_id = l.client_id
    where c.goal_score is not null
    group by c.client_id, c.outcome_on, c.outcome_at, c.goal_score, c.goal_achieved_at
),

-- time_to_first_improvement: the first successful dispute answer or the first better score.
improvement_events as (
    select client_id, resolved_at as improved_at
    from {{ ref('stg_disputes__disputes') }}
    where outcome in ('removed', 'updated')
      and resolved_at is not null
      and resolved_at >= opened_at
      and resolved_at <= {{ as_of() }}
    union all
    select client_id, {{ local_to_utc('pulled_on') }}
    from later_scores
    where score > baseline_score
),

first_improvements as (
    select c.client_id, c.became_client_at, min(e.improved_at) as first_improvement_at
    from contacts as c
    inner join improvement_events as e
        on c.client_id = e.client_id
        and e.improved_at >= c.became_client_at
    group by c.client_id, c.became_client_at
),

records as (
    select
        'avg_credit_score_increase' as kpi_id,
        outcome_on as period_date,
        client_increase as numerator,
        1 as denominator
    from outcome_increases
    union all
    select
        'client_goal_achievement_rate',
        outcome_on,
        case when is_achieved then 1 else 0 end,
        1
    from goals
    union all
    select
        'time_to_first_improvement',
        cast({{ utc_to_local('first_improvement_at') }} as date),
        (epoch(first_improvement_at) - epoch(became_client_at)) / 86400.0,
        1
    from first_improvements
    where first_improvement_at <= {{ as_of() }}
),

scope as (
    {{ client_kpi_scope(scope) }}
),

company as (
    select
        r.kpi_id,
        p.grain,
        'company' as entity_type,
        'all' as entity_id,
        p.period_start,
        p.period_end,
        p.is_partial,
        sum(r.numerator) as numerator,
        sum(r.denominator) as denominator,
        count(*) as sample_size
    from records as r
    inner join scope as s
        on r.kpi_id = s.kpi_id and s.entity_type = 'company'
    inner join {{ ref('int_kpi_periods') }} as p
        on s.grain = p.grain
        and r.period_date >= p.period_start
        and r.period_date < p.period_end
    group by r.kpi_id, p.grain, p.period_start, p.period_end, p.is_partial
),

-- avg_credit_score_increase, client grain "to date": per period, each bureau's latest later
-- score with as_of <= t1, while the client still has pulls (up to the period of its last pull).
client_periods as (
    select
        s.client_id,
        p.grain,
        p.period_start,
        p.period_end,
        p.is_partial
    from (
        select client_id, min(pulled_on) as first_later_on, max(pulled_on) as last_pulled_on
        from later_scores
        group by client_id
    ) as s
    inner join {{ ref('int_kpi_periods') }} as p
        on p.period_end > s.first_later_on
        and p.period_start <= s.last_pulled_on
    inner join scope as sc
        on sc.kpi_id = 'avg_credit_score_increase'
        and sc.entity_type = 'client'
        and sc.grain = p.grain
),

client_to_date as (
    select
        'avg_credit_score_increase' as kpi_id,
        cp.grain,
        'client' as entity_type,
        cp.client_id as entity_id,
        cp.period_start,
        cp.period_end,
        cp.is_partial,
        avg(l.score - l.baseline_score) as numerator,
        1 as denominator,
        1 as sample_size
    from client_periods as cp
    inner join later_scores as l
        on cp.client_id = l.client_id
        and l.pulled_on < cp.period_end
        and (l.next_pulled_on is null or l.next_pulled_on >= cp.period_end)
    group by cp.grain, cp.client_id, cp.period_start, cp.period_end, cp.is_partial
),

unioned as (
    select * from company
    union all
    select * from client_to_date
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
    case
        when denominator > 0 and kpi_id = 'client_goal_achievement_rate'
            then 100.0 * numerator / denominator
        when denominator > 0 then numerator / denominator
    end as value,
    sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from unioned
