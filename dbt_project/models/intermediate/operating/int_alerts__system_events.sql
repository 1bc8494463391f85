-- System, security, compliance, client-escalation and financial alert events (catalogue §7.1
-- AS1-AS5), one row per breach with the instant its condition became true and cleared (null
-- while it holds at as_of); int_alerts__candidates merges overlapping events of one rule and
-- entity (dedup). condition_level is the level the condition itself reaches (a critical system
-- down for an hour is a major failure, L3, from the start). Thresholds come from seed
-- alert_rules.
--   AS1 an incident on a critical system (seed critical_systems or the incident's own flag)
--       lasting >= 15 min, from started_at + 15 min to ended_at; L3 (major failure) when it
--       lasts >= 60 min or overlaps an incident of another critical system. A scheduled backup
--       slot without a successful backup, until the system's next successful backup. The same
--       integration failing >= 3 consecutive syncs, from the 3rd failure to the next success.
--   AS2 a confirmed security incident: high/critical L3, low/medium L2. The extract has no
--       resolution time, so the alert stays open until handled.
--   AS3 a compliance audit not passed (regulatory L3, internal L2) until the department's next
--       passed audit of that type; a required certification expired without a renewal (L1)
--       until the renewal is issued or the employee leaves. compliance_score/audit_pass_rate
--       red is AK1 of those KPIs.
--   AS4 a complaint ticket (L1) until resolved; L2 once unresolved for 24 h; L3 when its
--       category is in seed regulatory_complaint_categories.
--   AS5 daily net collections (succeeded charges − refunds, business-time days) outside
--       mean ± 3σ of the trailing 8 same weekdays; daily refunds above 3× the trailing-28-day
--       daily mean; month-end MRR down >= 5% vs the prior month-end. A day's anomaly opens at
--       the end of that day and clears at the end of the next normal day.
--       A failed financial reconciliation test is AD1's (data quality).
with rules as (
    select rule_id, variant, threshold from {{ ref('alert_rules') }}
    where rule_id in ('AS1', 'AS4', 'AS5')
),

critical_systems as (
    select system from {{ ref('critical_systems') }}
),

-- AS1: incidents on critical systems.
incidents as (
    select
        i.incident_id,
        i.system,
        i.started_at,
        case when i.ended_at <= {{ as_of() }} then i.ended_at end as ended_at,
        (epoch(least(coalesce(i.ended_at, {{ as_of() }}), {{ as_of() }})) - epoch(i.started_at))
            / 60.0 as minutes_open
    from {{ ref('stg_uptime__incidents') }} as i
    where i.started_at <= {{ as_of() }}
      and (i.is_critical_system or i.system in (select system from critical_systems))
),

concurrent as (
    select
        i.incident_id,
        min(greatest(i.started_at, o.started_at)) as both_down_at
    from incidents as i
    inner join incidents as o
        on i.system <> o.system
        and o.started_at < coalesce(i.ended_at, {{ as_of() }})
        and i.started_at < coalesce(o.ended_at, {{ as_of() }})
    group by i.incident_id
),

system_down as (
    select
        'AS1' as rule_id,
        case when i.minutes_open >= major.threshold or c.incident_id is not null
            then 'major_failure' else 'critical_system_down' end as variant,
        'system_uptime' as kpi_id,
        'system' as entity_type,
        i.system as entity_id,
        'technology' as department_id,
        i.started_at + to_minutes(cast(down.threshold as integer)) as opened_at,
        i.ended_at as closed_at,
        case when i.minutes_open >= major.threshold or c.incident_id is not null
            then 'L3' end as condition_level,
        cast(i.minutes_open as double) as observed,
        down.threshold,
        'incident ' || i.incident_id || ' on ' || i.system || ': down '
            || cast(cast(round(i.minutes_open) as integer) as varchar) || ' min'
            || case when c.incident_id is not null then ', with another critical system down'
                else '' end as detail
    from incidents as i
    cross join (select threshold from rules where variant = 'critical_system_down') as down
    cross join (select threshold from rules where variant = 'major_failure') as major
    left join concurrent as c on i.incident_id = c.incident_id
    where i.minutes_open >= down.threshold
),

-- AS1: scheduled backup slots without a success, until the next successful backup.
backup_slots as (
    select
        slot_id,
        any_value(system) as system,
        max(coalesce(completed_at, started_at)) as last_attempt_at,
        bool_or(is_succeeded) as is_succeeded
    from {{ ref('stg_backups__runs') }}
    where is_scheduled and started_at <= {{ as_of() }}
    group by slot_id
),

failed_backups as (
    select
        'AS1' as rule_id,
        'backup_failed' as variant,
        'backup_success_rate' as kpi_id,
        'system' as entity_type,
        s.system as entity_id,
        'technology' as department_id,
        s.last_attempt_at as opened_at,
        (
            select min(b.completed_at)
            from {{ ref('stg_backups__runs') }} as b
            where b.system = s.system and b.is_succeeded and b.completed_at > s.last_attempt_at
              and b.completed_at <= {{ as_of() }}
        ) as closed_at,
        cast(null as varchar) as condition_level,
        cast(null as double) as observed,
        cast(null as double) as threshold,
        'backup slot ' || s.slot_id || ' on ' || s.system || ' has no successful backup' as detail
    from backup_slots as s
    where not s.is_succeeded
),

-- AS1: runs of consecutive failed syncs per integration.
syncs as (
    select
        integration,
        started_at,
        coalesce(completed_at, started_at) as finished_at,
        is_succeeded,
        sum(case when is_succeeded then 1 else 0 end) over (
            partition by integration order by started_at, sync_id
            rows between unbounded preceding and current row
        ) as success_group
    from {{ ref('stg_integrations__syncs') }}
    where started_at <= {{ as_of() }}
),

failure_runs as (
    select
        f.integration,
        f.success_group,
        count(*) as failures,
        -- the third failure of the run opens the alert
        list(f.finished_at order by f.started_at)[cast(t.threshold as integer)] as opened_at,
        any_value(t.threshold) as threshold
    from syncs as f
    cross join (select threshold from rules where variant = 'integration_failing') as t
    where not f.is_succeeded
    group by f.integration, f.success_group, t.threshold
    having count(*) >= t.threshold
),

failing_integrations as (
    select
        'AS1' as rule_id,
        'integration_failing' as variant,
        'integration_success_rate' as kpi_id,
        'system' as entity_type,
        r.integration as entity_id,
        'technology' as department_id,
        r.opened_at,
        (
            select min(s.finished_at) from syncs as s
            where s.integration = r.integration and s.success_group = r.success_group + 1
        ) as closed_at,
        cast(null as varchar) as condition_level,
        cast(r.failures as double) as observed,
        r.threshold,
        r.integration || ': ' || cast(r.failures as varchar) || ' consecutive failed syncs'
            as detail
    from failure_runs as r
),

-- AS2: confirmed security incidents.
security as (
    select
        'AS2' as rule_id,
        case when severity in ('high', 'critical') then 'high_critical' else 'low_medium' end
            as variant,
        'security_incident_rate' as kpi_id,
        'system' as entity_type,
        'security' as entity_id,
        'technology' as department_id,
        detected_at as opened_at,
        cast(null as timestamp) as closed_at,
        case when severity in ('high', 'critical') then 'L3' end as condition_level,
        cast(null as double) as observed,
        cast(null as double) as threshold,
        'confirmed ' || coalesce(severity, 'unknown') || ' security incident ' || incident_id
            || ' (' || coalesce(category, 'uncategorised') || ')' as detail
    from {{ ref('stg_security__incidents') }}
    where is_confirmed and detected_at <= {{ as_of() }}
),

-- AS3: failed audits, until the next passed audit of the department and type.
audits as (
    select
        audit_id,
        department,
        audit_type,
        audited_at,
        passed,
        score
    from {{ ref('stg_compliance__audits') }}
    where audited_at <= {{ as_of() }} and passed is not null
),

failed_audits as (
    select
        'AS3' as rule_id,
        case a.audit_type when 'regulatory' then 'regulatory_audit_failed'
            else 'internal_audit_failed' end as variant,
        'audit_pass_rate' as kpi_id,
        'department' as entity_type,
        a.department as entity_id,
        'compliance' as department_id,
        a.audited_at as opened_at,
        (
            select min(n.audited_at) from audits as n
            where n.department = a.department and n.audit_type = a.audit_type
              and n.passed and n.audited_at > a.audited_at
        ) as closed_at,
        case a.audit_type when 'regulatory' then 'L3' end as condition_level,
        cast(a.score as double) as observed,
        cast(null as double) as threshold,
        a.audit_type || ' audit ' || a.audit_id || ' of ' || a.department || ' not passed'
            as detail
    from audits as a
    where not a.passed
),

-- AS3: required certifications expired without a renewal.
certifications as (
    select c.*, e.termination_date
    from {{ ref('stg_hr__certifications') }} as c
    inner join {{ ref('stg_hr__employees') }} as e on c.employee_id = e.employee_id
    where c.is_required and c.expires_at is not null
),

lapses as (
    select
        'AS3' as rule_id,
        'certification_lapsed' as variant,
        'certification_maintenance_rate' as kpi_id,
        'employee' as entity_type,
        c.employee_id as entity_id,
        'hr' as department_id,
        {{ local_to_utc('c.expires_at') }} as opened_at,
        least(
            (
                select {{ local_to_utc('min(r.issued_at)') }} from certifications as r
                where r.employee_id = c.employee_id and r.certification = c.certification
                  and r.issued_at >= c.expires_at
            ),
            {{ local_to_utc(dbt.dateadd('day', 1, 'c.termination_date')) }}
        ) as closed_at,
        cast(null as varchar) as condition_level,
        cast(null as double) as observed,
        cast(null as double) as threshold,
        'required certification ' || c.certification || ' expired ' || cast(c.expires_at as varchar)
            as detail
    from certifications as c
    where {{ local_to_utc('c.expires_at') }} <= {{ as_of() }}
      and (c.termination_date is null or c.termination_date >= c.expires_at)
      -- a renewal issued before the expiry (and outliving it) means no lapse
      and not exists (
          select 1 from certifications as r
          where r.employee_id = c.employee_id and r.certification = c.certification
            and r.certification_id <> c.certification_id
            and r.issued_at < c.expires_at and r.expires_at > c.expires_at
      )
),

-- AS4: complaints.
regulatory as (
    select category from {{ ref('regulatory_complaint_categories') }}
),

complaints as (
    select
        t.*,
        case when t.resolved_at <= {{ as_of() }} then t.resolved_at end as known_resolved_at,
        t.category in (select category from regulatory) as is_regulatory
    from {{ ref('stg_support__tickets') }} as t
    where t.is_complaint and t.created_at <= {{ as_of() }}
),

complaint_events as (
    select
        'AS4' as rule_id,
        case
            when c.is_regulatory then 'regulatory_complaint'
            when (epoch(coalesce(c.known_resolved_at, {{ as_of() }})) - epoch(c.created_at))
                / 3600.0 >= u.threshold then 'complaint_unresolved'
            else 'complaint_created'
        end as variant,
        'complaint_resolution_time' as kpi_id,
        'client' as entity_type,
        coalesce(c.client_id, 'unknown') as entity_id,
        'customer_support' as department_id,
        c.created_at as opened_at,
        c.known_resolved_at as closed_at,
        case
            when c.is_regulatory then 'L3'
            when (epoch(coalesce(c.known_resolved_at, {{ as_of() }})) - epoch(c.created_at))
                / 3600.0 >= u.threshold then 'L2'
        end as condition_level,
        cast((epoch(coalesce(c.known_resolved_at, {{ as_of() }})) - epoch(c.created_at)) / 3600.0
            as double) as observed,
        u.threshold,
        'complaint ticket ' || c.ticket_id || coalesce(' (' || c.category || ')', '')
            || case when c.known_resolved_at is null then ' unresolved' else ' resolved' end
            as detail
    from complaints as c
    cross join (select threshold from rules where variant = 'complaint_unresolved') as u
),

-- AS5: daily collections and refunds by business-time day.
charges as (
    select
        cast({{ utc_to_local('created_at') }} as date) as day,
        sum(amount_usd) as charged
    from {{ ref('stg_stripe__charges') }}
    where status = 'succeeded' and not is_test and created_at <= {{ as_of() }}
    group by 1
),

refunds as (
    select
        cast({{ utc_to_local('created_at') }} as date) as day,
        sum(amount_usd) as refunded
    from {{ ref('stg_stripe__refunds') }}
    where coalesce(status, 'succeeded') = 'succeeded' and created_at <= {{ as_of() }}
    group by 1
),

days as (
    select
        d.date_day as day,
        d.iso_day_of_week,
        coalesce(c.charged, 0) - coalesce(r.refunded, 0) as net_collections,
        coalesce(r.refunded, 0) as refunded,
        {{ local_to_utc(dbt.dateadd('day', 1, 'd.date_day')) }} as day_end_at
    from {{ ref('dim_date') }} as d
    left join charges as c on d.date_day = c.day
    left join refunds as r on d.date_day = r.day
    where d.date_day >= (select least(min(day), (select min(day) from refunds)) from charges)
      and {{ local_to_utc(dbt.dateadd('day', 1, 'd.date_day')) }} <= {{ as_of() }}
),

day_stats as (
    select
        *,
        avg(net_collections) over same_weekdays as net_mean,
        stddev_samp(net_collections) over same_weekdays as net_sd,
        count(*) over same_weekdays as net_n,
        avg(refunded) over last_28 as refund_mean,
        count(*) over last_28 as refund_n,
        lead(day_end_at) over (order by day) as next_day_end_at,
        lead(day_end_at) over (partition by iso_day_of_week order by day) as next_weekday_end_at
    from days
    window
        same_weekdays as (
            partition by iso_day_of_week order by day
            rows between 8 preceding and 1 preceding
        ),
        last_28 as (order by day rows between 28 preceding and 1 preceding)
),

day_flags as (
    select
        s.*,
        s.net_n = 8 and abs(s.net_collections - s.net_mean) > sig.threshold * s.net_sd
            as is_net_outlier,
        s.refund_n = 28 and s.refunded > spike.threshold * s.refund_mean as is_refund_spike,
        sig.threshold as sigma_threshold,
        spike.threshold as spike_threshold
    from day_stats as s
    cross join (select threshold from rules where variant = 'net_collections_outlier') as sig
    cross join (select threshold from rules where variant = 'refund_spike') as spike
),

finance_days as (
    select
        'AS5' as rule_id,
        'net_collections_outlier' as variant,
        cast(null as varchar) as kpi_id,
        'source' as entity_type,
        'stripe__charges' as entity_id,
        'finance' as department_id,
        day_end_at as opened_at,
        next_day_end_at as closed_at,
        cast(null as varchar) as condition_level,
        cast(net_collections as double) as observed,
        sigma_threshold as threshold,
        'net collections ' || cast(round(net_collections, 2) as varchar) || ' USD on '
            || cast(day as varchar) || ' vs ' || cast(round(net_mean, 2) as varchar)
            || ' ± ' || cast(round(net_sd, 2) as varchar) || ' (8 same weekdays)' as detail
    from day_flags
    where is_net_outlier

    union all

    select
        'AS5',
        'refund_spike',
        null,
        'source',
        'stripe__refunds',
        'finance',
        day_end_at,
        next_day_end_at,
        null,
        cast(refunded as double),
        spike_threshold,
        'refunds ' || cast(round(refunded, 2) as varchar) || ' USD on ' || cast(day as varchar)
            || ' vs a 28-day daily mean of ' || cast(round(refund_mean, 2) as varchar)
    from day_flags
    where is_refund_spike
),

mrr as (
    select
        o.period_start,
        o.value,
        o.previous_value,
        p.period_end_utc,
        lead(p.period_end_utc) over (order by o.period_start) as next_period_end_at
    from {{ ref('fct_kpi_observations') }} as o
    inner join {{ ref('int_kpi_periods') }} as p
        on o.grain = p.grain and o.period_start = p.period_start
    where o.kpi_id = 'mrr' and o.grain = 'month' and o.entity_type = 'company'
      and not o.is_partial
),

mrr_drops as (
    select
        'AS5' as rule_id,
        'mrr_drop' as variant,
        'mrr' as kpi_id,
        'company' as entity_type,
        'all' as entity_id,
        'finance' as department_id,
        m.period_end_utc as opened_at,
        m.next_period_end_at as closed_at,
        cast(null as varchar) as condition_level,
        cast(100.0 * (m.previous_value - m.value) / m.previous_value as double) as observed,
        t.threshold,
        'MRR ' || cast(round(m.value, 0) as varchar) || ' at the end of '
            || strftime(m.period_start, '%Y-%m') || ', down from '
            || cast(round(m.previous_value, 0) as varchar) as detail
    from mrr as m
    cross join (select threshold from rules where variant = 'mrr_drop') as t
    where m.previous_value > 0
      and 100.0 * (m.previous_value - m.value) / m.previous_value >= t.threshold
),

events as (
    select * from system_down
    union all select * from failed_backups
    union all select * from failing_integrations
    union all select * from security
    union all select * from failed_audits
    union all select * from lapses
    union all select * from complaint_events
    union all select * from finance_days
    union all select * from mrr_drops
)

select
    rule_id,
    variant,
    kpi_id,
    entity_type,
    entity_id,
    department_id,
    case when variant = 'mrr_drop' then 'month' end as grain,
    cast(null as date) as period_start,
    cast(opened_at as varchar) as opened_key,
    opened_at,
    case when closed_at <= {{ as_of() }} then closed_at end as closed_at,
    condition_level,
    observed,
    cast(threshold as double) as threshold,
    detail
from events
where opened_at <= {{ as_of() }}
