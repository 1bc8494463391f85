-- The root-cause category the data points to for a KPI gap, per closed week, month, quarter and
-- year (GAP §3A-E root causes; CS "Document root causes"), and the evidence behind it as a
-- line of numbers. Which test applies to a KPI is seed gap_root_cause_families; a KPI without
-- a family, a day, or a period without the inputs gets no row (the data cannot tell).
--   support_capacity     tickets per client-rep hour worked in the period vs the mean of the
--                        other closed periods of the grain: >= 10% above -> understaffing
--                        (volume outgrew staffing, GAP §3C); otherwise process_inefficiency
--                        (same load per rep, slower handling: ticketing/workflow).
--   production_capacity  production jobs due per case-manager hour vs the same baseline:
--                        >= 10% above -> capacity; otherwise process_bottleneck (GAP §3D).
--   staff_attrition      leavers in the period by reason: voluntary >= half ->
--                        voluntary_attrition (career development, compensation, GAP §3E);
--                        else involuntary_attrition.
--   dialer_funnel        the first funnel stage of the sales agents' calls that misses its
--                        catalogue target, named by the dialer trigger diagnosis (seed
--                        dialer_triggers): calls too short (avg_call_duration below its range)
--                        -> opener / rapport issue; quote_rate -> transition failure;
--                        application_rate -> value or trust breakdown; all on target but
--                        close_rate -> closing. Evidence names the agents below the quote target.
--   lead_conversion      when the dialer funnel meets its targets, the shortfall is upstream:
--                        lead_quality (marketing sends leads sales cannot convert, or too few,
--                        GAP §3A/B); otherwise sales_follow_up with the failing stage. Evidence
--                        gives leads, new clients, lead-to-client %, funnel and source mix.
-- "10%" is materiality for a load change; the baseline is every other closed period of the same
-- grain, so a gap planted all year compares against its own level (process, not volume).
{% set load_materiality = 1.10 %}

with periods as (
    select grain, period_start, period_end
    from {{ ref('int_kpi_periods') }}
    where grain in ('week', 'month', 'quarter', 'year') and not is_partial
),

roles as (
    select role_set, role from {{ ref('role_sets') }}
),

staff_hours as (
    select t.work_date, r.role_set, sum(t.hours_worked) as hours_worked
    from {{ ref('stg_hr__time_entries') }} as t
    inner join {{ ref('stg_hr__employees') }} as e on t.employee_id = e.employee_id
    inner join roles as r on e.role = r.role
    where t.hours_worked > 0
    group by t.work_date, r.role_set
),

-- Support load: tickets created per client-rep hour.
ticket_days as (
    select cast({{ utc_to_local('created_at') }} as date) as day, count(*) as tickets
    from {{ ref('stg_support__tickets') }}
    where created_at <= {{ as_of() }}
    group by 1
),

support_load as (
    select
        p.grain,
        p.period_start,
        (select sum(tickets) from ticket_days as t
            where t.day >= p.period_start and t.day < p.period_end) as tickets,
        (select sum(hours_worked) from staff_hours as h
            where h.role_set = 'client_rep_roles'
              and h.work_date >= p.period_start and h.work_date < p.period_end) as rep_hours
    from periods as p
),

-- Production load: jobs due per case-manager hour, and the share finished late.
job_days as (
    select
        cast({{ utc_to_local('scheduled_end_at') }} as date) as day,
        count(*) as jobs,
        count(*) filter (where actual_end_at > scheduled_end_at) as late_jobs
    from {{ ref('stg_production__jobs') }}
    where scheduled_end_at <= {{ as_of() }}
    group by 1
),

production_load as (
    select
        p.grain,
        p.period_start,
        (select sum(jobs) from job_days as j
            where j.day >= p.period_start and j.day < p.period_end) as tickets,
        (select sum(hours_worked) from staff_hours as h
            where h.role_set = 'case_roles'
              and h.work_date >= p.period_start and h.work_date < p.period_end) as rep_hours,
        (select sum(late_jobs) from job_days as j
            where j.day >= p.period_start and j.day < p.period_end) as late_jobs
    from periods as p
),

loads as (
    select 'support_capacity' as family, grain, period_start, tickets as units, rep_hours,
        cast(null as bigint) as late_units
    from support_load
    union all
    select 'production_capacity', grain, period_start, tickets, rep_hours, late_jobs
    from production_load
),

load_baselines as (
    select
        *,
        units / nullif(rep_hours, 0) as load,
        -- mean load of the other closed periods of the grain
        (sum(units / nullif(rep_hours, 0)) over grain_periods - units / nullif(rep_hours, 0))
            / nullif(count(units / nullif(rep_hours, 0)) over grain_periods - 1, 0)
            as baseline_load
    from loads
    window grain_periods as (partition by family, grain)
),

load_causes as (
    select
        family,
        grain,
        period_start,
        case
            when load >= {{ load_materiality }} * baseline_load
                then case family when 'support_capacity' then 'understaffing' else 'capacity' end
            else case family when 'support_capacity' then 'process_inefficiency'
                else 'process_bottleneck' end
        end as category,
        case family when 'support_capacity' then 'tickets' else 'jobs due' end || ' '
            || cast(units as varchar) || ' over '
            || cast(round(rep_hours, 0) as varchar)
            || case family when 'support_capacity' then ' client-rep' else ' case-manager' end
            || ' hours = ' || cast(round(100 * load, 2) as varchar) || ' per 100 h vs '
            || cast(round(100 * baseline_load, 2) as varchar) || ' in the other '
            || grain || 's ('
            || cast(round(100 * (load / baseline_load - 1), 1) as varchar) || '%)'
            || case when late_units is not null
                then '; ' || cast(late_units as varchar) || ' jobs late' else '' end
            as evidence
    from load_baselines
    where load is not null and baseline_load > 0
),

-- Staff attrition: leavers by reason.
leavers as (
    select
        p.grain,
        p.period_start,
        count(*) as leavers,
        count(*) filter (where e.termination_reason = 'voluntary') as voluntary
    from periods as p
    inner join {{ ref('stg_hr__employees') }} as e
        on e.termination_date >= p.period_start and e.termination_date < p.period_end
    group by p.grain, p.period_start
),

attrition_causes as (
    select
        'staff_attrition' as family,
        grain,
        period_start,
        case when voluntary * 2 >= leavers then 'voluntary_attrition'
            else 'involuntary_attrition' end as category,
        cast(leavers as varchar) || ' leavers, ' || cast(voluntary as varchar) || ' voluntary ('
            || cast(round(100.0 * voluntary / leavers, 0) as varchar) || '%)' as evidence
    from leavers
),

-- Dialer funnel of the sales agents' calls (catalogue §2.3 formulas), per period and agent.
targets as (
    select
        max(target_value) filter (where kpi_id = 'quote_rate') as quote_target,
        max(target_value) filter (where kpi_id = 'application_rate') as application_target,
        max(target_value) filter (where kpi_id = 'close_rate') as close_target,
        max(target_low) filter (where kpi_id = 'avg_call_duration') as duration_low
    from {{ ref('kpi_definitions') }}
),

diagnoses as (
    select
        max(diagnosis) filter (where trigger_id = 'dt_short_calls') as opener,
        max(diagnosis) filter (where trigger_id = 'dt_engaged_no_quote') as transition,
        max(diagnosis) filter (where trigger_id = 'dt_quotes_no_application') as value_trust
    from {{ ref('dialer_triggers') }}
),

agent_periods as (
    select
        p.grain,
        p.period_start,
        d.agent_id,
        sum(d.engaged_calls) as engaged,
        sum(d.engaged_quoted_calls) as engaged_quoted,
        sum(d.quoted_calls) as quoted,
        sum(d.quoted_application_calls) as quoted_application,
        sum(d.sale_calls) as sales,
        sum(d.connected_calls) as connected,
        sum(d.talk_seconds) as talk_seconds
    from periods as p
    inner join {{ ref('int_operations__sales_agent_days') }} as d
        on d.agent_day >= p.period_start and d.agent_day < p.period_end
    group by p.grain, p.period_start, d.agent_id
),

funnel as (
    select
        a.grain,
        a.period_start,
        100.0 * sum(a.engaged_quoted) / nullif(sum(a.engaged), 0) as quote_rate,
        100.0 * sum(a.quoted_application) / nullif(sum(a.quoted), 0) as application_rate,
        100.0 * sum(a.sales) / nullif(sum(a.engaged), 0) as close_rate,
        sum(a.talk_seconds) / 60.0 / nullif(sum(a.connected), 0) as avg_call_duration,
        string_agg(
            case when 100.0 * a.engaged_quoted / nullif(a.engaged, 0) < t.quote_target
                then a.agent_id end,
            ', ' order by a.agent_id
        ) as agents_below_quote_target,
        count(*) filter (
            where 100.0 * a.engaged_quoted / nullif(a.engaged, 0) < t.quote_target
        ) as agents_below,
        count(*) as agents
    from agent_periods as a
    cross join targets as t
    group by a.grain, a.period_start
),

funnel_stage as (
    select
        f.*,
        case
            when f.avg_call_duration < t.duration_low then g.opener
            when f.quote_rate < t.quote_target then g.transition
            when f.application_rate < t.application_target then g.value_trust
            when f.close_rate < t.close_target then 'closing'
        end as failing_stage,
        'quote ' || cast(round(f.quote_rate, 1) as varchar) || '% (target '
            || cast(t.quote_target as varchar) || '), application '
            || cast(round(f.application_rate, 1) as varchar) || '% ('
            || cast(t.application_target as varchar) || '), close '
            || cast(round(f.close_rate, 1) as varchar) || '% (' || cast(t.close_target as varchar)
            || '), call ' || cast(round(f.avg_call_duration, 2) as varchar) || ' min' as funnel_line
    from funnel as f
    cross join targets as t
    cross join diagnoses as g
),

funnel_causes as (
    select
        'dialer_funnel' as family,
        grain,
        period_start,
        coalesce(failing_stage, 'none_at_company_level') as category,
        funnel_line || '; ' || cast(agents_below as varchar) || ' of ' || cast(agents as varchar)
            || ' agents below the quote target'
            || coalesce(': ' || agents_below_quote_target, '') as evidence
    from funnel_stage
),

-- Leads and new clients (CRM), and the lead-source mix of the period's leads.
contacts as (
    select lead_source, created_at, became_client_at
    from {{ ref('stg_crm__contacts') }}
    where not is_test and not is_deleted
),

lead_periods as (
    select
        p.grain,
        p.period_start,
        count(*) filter (where c.created_at >= {{ local_to_utc('p.period_start') }}
            and c.created_at < {{ local_to_utc('p.period_end') }}) as leads,
        count(*) filter (where c.became_client_at >= {{ local_to_utc('p.period_start') }}
            and c.became_client_at < {{ local_to_utc('p.period_end') }}) as new_clients
    from periods as p
    cross join contacts as c
    group by p.grain, p.period_start
),

source_mix as (
    select
        grain,
        period_start,
        string_agg(lead_source || ' ' || cast(share as varchar) || '%', ', '
            order by share desc, lead_source) as mix
    from (
        select
            p.grain,
            p.period_start,
            coalesce(c.lead_source, 'unknown') as lead_source,
            round(100.0 * count(*) / sum(count(*)) over (partition by p.grain, p.period_start), 0)
                as share
        from periods as p
        inner join contacts as c
            on c.created_at >= {{ local_to_utc('p.period_start') }}
            and c.created_at < {{ local_to_utc('p.period_end') }}
        group by p.grain, p.period_start, coalesce(c.lead_source, 'unknown')
    )
    group by grain, period_start
),

lead_causes as (
    select
        'lead_conversion' as family,
        l.grain,
        l.period_start,
        case when f.failing_stage is null then 'lead_quality' else 'sales_follow_up' end
            as category,
        case when f.failing_stage is null then 'dialer funnel on target ('
            else 'dialer funnel misses ' || f.failing_stage || ' (' end
            || f.funnel_line || '); ' || cast(l.leads as varchar) || ' leads, '
            || cast(l.new_clients as varchar) || ' new clients ('
            || cast(round(100.0 * l.new_clients / nullif(l.leads, 0), 1) as varchar)
            || '% of leads); sources ' || coalesce(s.mix, 'none') as evidence
    from lead_periods as l
    inner join funnel_stage as f on l.grain = f.grain and l.period_start = f.period_start
    left join source_mix as s on l.grain = s.grain and l.period_start = s.period_start
    where l.leads > 0
)

select c.kpi_id, r.grain, r.period_start, r.category as root_cause_category,
    r.evidence as root_cause_evidence
from {{ ref('gap_root_cause_families') }} as c
inner join (
    select * from load_causes
    union all select * from attrition_causes
    union all select * from funnel_causes
    union all select * from lead_causes
) as r on c.family = r.family
