-- Client-success alert events (catalogue §7.1 AC1-AC6, CS Alert System), one row per breach
-- with the instant its condition became true (opened_at) and cleared (closed_at; null while it
-- holds at as_of). Overlapping events of one rule and client are merged into one alert by
-- int_alerts__candidates (dedup). Thresholds come from seed alert_rules.
--   AC1 health score below the threshold: each run of consecutive daily scores below it
--       (mart_client_health, the frozen handoff rows left out); opens at the first such
--       evaluation, clears at the next one at or above it, or at ob_end when scoring stops.
--   AC2 non-responsive: runs of daily evaluations whose responsiveness gap (§5 CR) is at least
--       the threshold while a request is open; opens when the gap reached it, clears at the
--       first evaluation below it (daily resolution) or at ob_end.
--   AC3 a single low satisfaction response (onboarding_satisfaction or nps below the 0-10
--       threshold, csat at or below the 1-5 one); clears with the client's next response of
--       the same survey that is not low.
--   AC4 a critical blocker, from logged_at to resolved_at.
--   AC5 a milestone still incomplete at 00:00 of due_date + threshold days; clears at its
--       completion or at ob_end.
--   AC6 no first win by contract_signed_at + 10 d (L1), no handoff by + 45 d (L2); clear at the
--       first win / handoff, or at ob_end.
-- AC7/AC8 are the digests (reports), not alerts.
with rules as (
    select rule_id, variant, threshold from {{ ref('alert_rules') }}
    where rule_id in ('AC1', 'AC2', 'AC3', 'AC5', 'AC6')
),

instances as (
    select client_id, contract_signed_at, csm_id, first_win_at, handoff_at, ob_end
    from {{ ref('int_onboarding__instances') }}
),

health as (
    select
        h.client_id,
        h.contract_signed_at,
        h.score_date,
        h.evaluated_at_utc,
        h.health_score,
        h.request_gap_hours,
        h.open_request_at,
        h.last_client_activity_at,
        o.ob_end,
        lead(h.evaluated_at_utc) over instance_days as next_evaluated_at
    from {{ ref('mart_client_health') }} as h
    inner join instances as o
        on h.client_id = o.client_id and h.contract_signed_at = o.contract_signed_at
    where not h.is_final_at_handoff
    window instance_days as (
        partition by h.client_id, h.contract_signed_at order by h.score_date
    )
),

-- AC1 / AC2: runs of consecutive daily evaluations that meet the condition.
health_flags as (
    select
        h.*,
        h.health_score < ac1.threshold as is_low_health,
        coalesce(h.request_gap_hours >= ac2.threshold, false) as is_silent,
        ac1.threshold as health_threshold,
        ac2.threshold as silence_threshold
    from health as h
    cross join (select threshold from rules where rule_id = 'AC1') as ac1
    cross join (select threshold from rules where rule_id = 'AC2') as ac2
),

health_runs as (
    select
        *,
        sum(case when is_low_health then 0 else 1 end) over running as low_health_run,
        sum(case when is_silent then 0 else 1 end) over running as silent_run
    from health_flags
    window running as (
        partition by client_id, contract_signed_at order by score_date
        rows between unbounded preceding and current row
    )
),

low_health as (
    select
        'AC1' as rule_id,
        'health_below_60' as variant,
        'client_health_score' as kpi_id,
        client_id,
        cast(min(score_date) as varchar) as opened_key,
        min(evaluated_at_utc) as opened_at,
        -- the next evaluation of the instance clears it; without one, scoring stopped at ob_end
        coalesce(
            arg_max(next_evaluated_at, score_date),
            case when arg_max(ob_end, score_date) <= {{ as_of() }}
                then arg_max(ob_end, score_date) end
        ) as closed_at,
        cast(arg_max(health_score, score_date) as double) as observed,
        any_value(health_threshold) as threshold,
        'health score ' || cast(arg_max(health_score, score_date) as varchar)
            || ' (lowest ' || cast(min(health_score) as varchar) || ') since '
            || cast(min(score_date) as varchar) as detail
    from health_runs
    where is_low_health
    group by client_id, contract_signed_at, low_health_run
),

silent as (
    select
        'AC2' as rule_id,
        'non_responsive' as variant,
        cast(null as varchar) as kpi_id,
        client_id,
        cast(min(score_date) as varchar) as opened_key,
        arg_min(
            greatest(open_request_at, coalesce(last_client_activity_at, open_request_at))
                + to_hours(cast(silence_threshold as integer)),
            score_date
        ) as opened_at,
        coalesce(
            arg_max(next_evaluated_at, score_date),
            case when arg_max(ob_end, score_date) <= {{ as_of() }}
                then arg_max(ob_end, score_date) end
        ) as closed_at,
        cast(max(request_gap_hours) as double) as observed,
        any_value(silence_threshold) as threshold,
        'no client response for ' || cast(cast(floor(max(request_gap_hours)) as integer) as varchar)
            || ' h to an open request since ' || cast(min(open_request_at) as varchar) as detail
    from health_runs
    where is_silent
    group by client_id, contract_signed_at, silent_run
),

-- AC3: low satisfaction responses, cleared by the next response of the same survey.
responses as (
    select
        r.response_id,
        r.client_id,
        r.survey_type,
        r.score,
        r.responded_at,
        case r.survey_type
            when 'csat' then r.score <= csat.threshold
            else r.score < scale10.threshold
        end as is_low,
        case r.survey_type when 'csat' then csat.threshold else scale10.threshold end
            as threshold,
        lead(r.responded_at) over (
            partition by r.client_id, r.survey_type order by r.responded_at, r.response_id
        ) as next_responded_at
    from {{ ref('stg_surveys__responses') }} as r
    cross join (select threshold from rules where variant = 'low_score_csat') as csat
    cross join (select threshold from rules where variant = 'low_score_0_10') as scale10
    where r.client_id is not null
      and r.survey_type in ('onboarding_satisfaction', 'nps', 'csat')
      and r.is_score_in_scale
      and r.responded_at <= {{ as_of() }}
),

low_scores as (
    select
        'AC3' as rule_id,
        case survey_type when 'csat' then 'low_score_csat' else 'low_score_0_10' end as variant,
        case survey_type
            when 'csat' then 'csat'
            when 'nps' then 'nps_company'
            else 'onboarding_csat'
        end as kpi_id,
        client_id,
        cast(responded_at as varchar) as opened_key,
        responded_at as opened_at,
        -- the next response of the survey clears it; when that one is low too, it opens the
        -- next event at the same instant and int_alerts__candidates merges the two
        next_responded_at as closed_at,
        cast(score as double) as observed,
        threshold,
        survey_type || ' response ' || cast(score as varchar) || ' on '
            || cast(responded_at as varchar) as detail
    from responses
    where is_low
),

-- AC4: critical blockers.
critical_blockers as (
    select
        'AC4' as rule_id,
        'critical_blocker' as variant,
        cast(null as varchar) as kpi_id,
        client_id,
        cast(logged_at as varchar) as opened_key,
        logged_at as opened_at,
        resolved_at as closed_at,
        cast(null as double) as observed,
        cast(null as double) as threshold,
        'critical ' || coalesce(blocker_type, 'unknown') || ' blocker ' || blocker_id
            || ' logged ' || cast(logged_at as varchar) as detail
    from {{ ref('mart_onboarding_blockers') }}
    where is_critical
),

-- AC5: milestones incomplete at 00:00 of due_date + threshold days, while onboarding.
late_milestones as (
    select
        m.*,
        {{ local_to_utc(dbt.dateadd('day', 'cast(r.threshold as integer)', 'm.due_date')) }}
            as late_at,
        r.threshold
    from {{ ref('int_onboarding__milestone_status') }} as m
    cross join (select threshold from rules where rule_id = 'AC5') as r
),

milestone_delays as (
    select
        'AC5' as rule_id,
        'milestone_late' as variant,
        'milestone_on_time_rate' as kpi_id,
        client_id,
        cast(late_at as varchar) as opened_key,
        late_at as opened_at,
        case
            when completed_at is not null then completed_at
            when ob_end <= {{ as_of() }} then ob_end
        end as closed_at,
        cast(days_late as double) as observed,
        threshold,
        milestone || ' due ' || cast(due_date as varchar) || ', '
            || case when completed_at is null then 'still open'
                else 'completed ' || cast(completed_at as varchar) end as detail
    from late_milestones
    where late_at <= {{ as_of() }}
      and late_at < ob_end
      and (completed_at is null or completed_at >= late_at)
),

-- AC6: onboarding aging.
aging as (
    select
        o.*,
        r.variant,
        r.threshold,
        o.contract_signed_at + to_days(cast(r.threshold as integer)) as due_at,
        case r.variant when 'no_first_win' then o.first_win_at else o.handoff_at end
            as reached_at
    from instances as o
    cross join (select variant, threshold from rules where rule_id = 'AC6') as r
),

onboarding_aging as (
    select
        'AC6' as rule_id,
        variant,
        case variant when 'no_first_win' then 'time_to_first_win'
            else 'total_onboarding_duration' end as kpi_id,
        client_id,
        cast(due_at as varchar) as opened_key,
        due_at as opened_at,
        case
            when reached_at is not null then least(reached_at, ob_end)
            when ob_end <= {{ as_of() }} then ob_end
        end as closed_at,
        cast((epoch(least(coalesce(reached_at, {{ as_of() }}), {{ as_of() }}))
            - epoch(contract_signed_at)) / 86400.0 as double) as observed,
        threshold,
        case variant when 'no_first_win' then 'no first win ' else 'no handoff ' end
            || cast(cast(threshold as integer) as varchar) || ' days after the contract of '
            || cast(contract_signed_at as varchar) as detail
    from aging
    where due_at <= {{ as_of() }}
      and due_at < ob_end
      and (reached_at is null or reached_at > due_at)
),

events as (
    select * from low_health
    union all select * from silent
    union all select * from low_scores
    union all select * from critical_blockers
    union all select * from milestone_delays
    union all select * from onboarding_aging
)

select
    e.rule_id,
    e.variant,
    e.kpi_id,
    'client' as entity_type,
    e.client_id as entity_id,
    'client_success' as department_id,
    cast(null as varchar) as grain,
    cast(null as date) as period_start,
    e.opened_key,
    e.opened_at,
    case when e.closed_at <= {{ as_of() }} then e.closed_at end as closed_at,
    cast(null as varchar) as condition_level,
    e.observed,
    cast(e.threshold as double) as threshold,
    e.detail
from events as e
where e.opened_at <= {{ as_of() }}
