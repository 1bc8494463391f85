-- Row-level data accuracy (catalogue §7.2, S7 §4.3) per domain, entity and load day: rows
-- checked and rows passing every accuracy rule of their entity. Interim source of
-- data_accuracy_rate: the Great Expectations quality layer will record these same checks (and
-- the monthly reconciliations, which are not row rules) and feed this model's shape later; until
-- then the §7.2 rules that can be written on one row of a staging model are evaluated here.
-- The day is the row's load day (delivered_on, the partition of its latest delivered version):
-- "accuracy per load day". A rule on a nullable column passes when the column is null (nulls
-- are a completeness matter, §7.3). Not covered here: the monthly reconciliations (GL vs P&L
-- export, Stripe charges − refunds vs invoices paid) and entities with no row rule
-- (automation runs, security incidents, compliance audits, certifications).
with employees as (
    select employee_id, hire_date, termination_date from {{ ref('stg_hr__employees') }}
),

crm_client_ids as (
    select distinct client_id from {{ ref('stg_crm__contacts') }} where client_id is not null
),

channels as (
    select distinct channel from {{ ref('lead_source_channel_map') }}
),

sales_agents as (
    select e.employee_id
    from {{ ref('stg_hr__employees') }} as e
    inner join {{ ref('role_sets') }} as r on r.role_set = 'sales_agent_roles' and e.role = r.role
),

time_entry_days as (
    select distinct employee_id, work_date from {{ ref('stg_hr__time_entries') }}
),

checks as (
    -- operational ---------------------------------------------------------------------------
    -- calls: the funnel is monotone, duration_s in [0, 14400], agent_id is an employee.
    select 'operational' as domain, 'dialer_calls' as entity, c.delivered_on as check_date,
        (not c.sale_closed or c.application_submitted)
        and (not c.application_submitted or c.quoted)
        and (not c.quoted or c.engaged)
        and coalesce(c.duration_s between 0 and 14400, true)
        and (c.agent_id is null or e.employee_id is not null) as is_pass
    from {{ ref('stg_dialer__calls') }} as c
    left join employees as e on c.agent_id = e.employee_id

    union all
    -- time entries: 0 <= productive hours <= hours_worked <= 24, employee_id is an employee.
    select 'operational', 'time_entries', t.delivered_on,
        coalesce(t.hours_worked between 0 and 24, true)
        and coalesce(t.productive_hours between 0 and t.hours_worked, true)
        and e.employee_id is not null
    from {{ ref('stg_hr__time_entries') }} as t
    left join employees as e on t.employee_id = e.employee_id

    union all
    -- a sales agent-day with calls but no time entry is a failed time_entries row (§10.23).
    select 'operational', 'time_entries', min(c.delivered_on), false
    from {{ ref('stg_dialer__calls') }} as c
    inner join sales_agents as a on c.agent_id = a.employee_id
    left join time_entry_days as t
        on c.agent_id = t.employee_id
        and cast({{ utc_to_local('c.started_at') }} as date) = t.work_date
    where t.employee_id is null
      and c.started_at is not null
    group by c.agent_id, cast({{ utc_to_local('c.started_at') }} as date)

    union all
    -- documents processed: 0 <= errors <= count, employee_id is an employee.
    select 'operational', 'documents_processed', d.delivered_on,
        coalesce(d.error_count between 0 and d.document_count, true)
        and (d.employee_id is null or e.employee_id is not null)
    from {{ ref('stg_documents__processed') }} as d
    left join employees as e on d.employee_id = e.employee_id

    union all
    -- QA reviews: errors and rework <= items_reviewed, employee_id is an employee.
    select 'operational', 'qa_reviews', q.delivered_on,
        coalesce(q.errors between 0 and q.items_reviewed, true)
        and coalesce(q.rework between 0 and q.items_reviewed, true)
        and (q.employee_id is null or e.employee_id is not null)
    from {{ ref('stg_qa__reviews') }} as q
    left join employees as e on q.employee_id = e.employee_id

    union all
    -- production jobs: no negative duration (§1.2).
    select 'operational', 'production_jobs', delivered_on,
        coalesce(actual_end_at >= created_at, true)
    from {{ ref('stg_production__jobs') }}

    union all
    -- integration syncs and backups: no negative duration (§1.2).
    select 'operational', 'integration_syncs', delivered_on,
        coalesce(completed_at >= started_at, true)
    from {{ ref('stg_integrations__syncs') }}

    union all
    select 'operational', 'backups', delivered_on, coalesce(completed_at >= started_at, true)
    from {{ ref('stg_backups__runs') }}

    union all
    -- incidents: 0 <= minutes_down <= the incident's span, and ended_at >= started_at.
    select 'operational', 'uptime_incidents', delivered_on,
        coalesce(ended_at >= started_at, true)
        and coalesce(minutes_down >= 0, true)
        and coalesce(
            minutes_down <= {{ dbt.datediff('started_at', 'ended_at', 'second') }} / 60.0, true
        )
    from {{ ref('stg_uptime__incidents') }}

    union all
    -- API requests: latency_ms >= 0.
    select 'operational', 'api_requests', delivered_on, coalesce(latency_ms >= 0, true)
    from {{ ref('stg_api__requests') }}

    union all
    -- client --------------------------------------------------------------------------------
    -- CRM contacts: became_client_at >= created_at.
    select 'client', 'crm_contacts', delivered_on,
        coalesce(became_client_at >= created_at, true)
    from {{ ref('stg_crm__contacts') }}

    union all
    -- every live (non-test, not incomplete) subscription maps to a CRM client.
    select 'client', 'stripe_subscriptions', s.delivered_on, m.customer_key is not null
    from {{ ref('stg_stripe__subscriptions') }} as s
    left join (
        select distinct customer_key from {{ ref('stg_crm__contacts') }}
        where client_id is not null and customer_key is not null
    ) as m on s.customer_key = m.customer_key
    where not s.is_test
      and coalesce(s.status, '') not in ('incomplete', 'incomplete_expired')

    union all
    -- disputes: outcome in its enum, pending <=> resolved_at null, resolved_at >= opened_at,
    -- client_id is a CRM client.
    select 'client', 'disputes', d.delivered_on,
        d.outcome in ('pending', 'removed', 'updated', 'verified')
        and ((d.outcome = 'pending') = (d.resolved_at is null))
        and coalesce(d.resolved_at >= d.opened_at, true)
        and (d.client_id is null or k.client_id is not null)
    from {{ ref('stg_disputes__disputes') }} as d
    left join crm_client_ids as k on d.client_id = k.client_id

    union all
    -- credit scores: score in [300, 850], bureau in its enum, client_id is a CRM client.
    select 'client', 'credit_scores', s.delivered_on,
        coalesce(s.score between 300 and 850, true)
        and s.bureau in ('equifax', 'experian', 'transunion')
        and (s.client_id is null or k.client_id is not null)
    from {{ ref('stg_disputes__credit_scores') }} as s
    left join crm_client_ids as k on s.client_id = k.client_id

    union all
    -- onboardings: handoff_at and first_win_at >= contract_signed_at, client_id is a CRM client.
    select 'client', 'onboardings', o.delivered_on,
        coalesce(o.handoff_at >= o.contract_signed_at, true)
        and coalesce(o.first_win_at >= o.contract_signed_at, true)
        and (o.client_id is null or k.client_id is not null)
    from {{ ref('stg_onboarding__onboardings') }} as o
    left join crm_client_ids as k on o.client_id = k.client_id

    union all
    select 'client', 'onboarding_milestones', m.delivered_on,
        m.client_id is null or k.client_id is not null
    from {{ ref('stg_onboarding__milestones') }} as m
    left join crm_client_ids as k on m.client_id = k.client_id

    union all
    -- blockers: no negative duration, client_id is a CRM client.
    select 'client', 'onboarding_blockers', b.delivered_on,
        coalesce(b.resolved_at >= b.logged_at, true)
        and (b.client_id is null or k.client_id is not null)
    from {{ ref('stg_onboarding__blockers') }} as b
    left join crm_client_ids as k on b.client_id = k.client_id

    union all
    -- tickets: first_response_at and resolved_at >= created_at, client_id is a CRM client.
    select 'client', 'support_tickets', t.delivered_on,
        coalesce(t.first_response_at >= t.created_at, true)
        and coalesce(t.resolved_at >= t.created_at, true)
        and (t.client_id is null or k.client_id is not null)
    from {{ ref('stg_support__tickets') }} as t
    left join crm_client_ids as k on t.client_id = k.client_id

    union all
    -- feature and mobile usage: client_id is a CRM client.
    select 'client', 'feature_usage', u.delivered_on,
        u.client_id is null or k.client_id is not null
    from {{ ref('stg_product__feature_usage') }} as u
    left join crm_client_ids as k on u.client_id = k.client_id

    union all
    select 'client', 'mobile_usage', u.delivered_on,
        u.client_id is null or k.client_id is not null
    from {{ ref('stg_product__mobile_usage') }} as u
    left join crm_client_ids as k on u.client_id = k.client_id

    union all
    -- performance ---------------------------------------------------------------------------
    -- employees: termination_date >= hire_date.
    select 'performance', 'employees', delivered_on,
        coalesce(termination_date >= hire_date, true)
    from {{ ref('stg_hr__employees') }}

    union all
    -- reviews: score and peer_score in [1, 5], goal_achievement_pct in [0, 300].
    select 'performance', 'performance_reviews', delivered_on,
        coalesce(score between 1 and 5, true)
        and coalesce(peer_score between 1 and 5, true)
        and coalesce(goal_achievement_pct between 0 and 300, true)
    from {{ ref('stg_hr__performance_reviews') }}

    union all
    -- training: assessment_score in [0, 100], due_at >= assigned_at.
    select 'performance', 'training_assignments', delivered_on,
        coalesce(assessment_score between 0 and 100, true)
        and coalesce(due_at >= assigned_at, true)
    from {{ ref('stg_hr__training_assignments') }}

    union all
    -- promotions: promoted_at within the employee's employment.
    select 'performance', 'promotions', p.delivered_on,
        e.employee_id is not null
        and coalesce(
            cast({{ utc_to_local('p.promoted_at') }} as date) between e.hire_date
                and coalesce(e.termination_date, cast('9999-12-31' as date)),
            true
        )
    from {{ ref('stg_hr__promotions') }} as p
    left join employees as e on p.employee_id = e.employee_id

    union all
    -- corrective actions: due_at >= created_at.
    select 'performance', 'corrective_actions', delivered_on, coalesce(due_at >= created_at, true)
    from {{ ref('stg_actions__corrective_actions') }}

    union all
    -- survey --------------------------------------------------------------------------------
    -- score within its type's scale; exactly one respondent key of the right kind; no
    -- duplicate (same respondent and type within 24 h of an earlier response).
    select 'survey', 'survey_responses', delivered_on,
        coalesce(is_score_in_scale, false)
        and case
            when survey_type = 'employee_satisfaction'
                then employee_id is not null and client_id is null
            else client_id is not null and employee_id is null
        end
        and coalesce(
            {{ dbt.datediff('previous_responded_at', 'responded_at', 'second') }} >= 86400, true
        )
    from (
        select
            *,
            lag(responded_at) over (
                partition by survey_type, coalesce(client_id, employee_id)
                order by responded_at, response_id
            ) as previous_responded_at
        from {{ ref('stg_surveys__responses') }}
    )

    union all
    -- financial -----------------------------------------------------------------------------
    -- GL lines: account_type in its enum (amounts may be negative: reversals).
    select 'financial', 'gl_entries', delivered_on,
        coalesce(account_type in (
            'income', 'cogs', 'operating_expense', 'depreciation', 'interest', 'tax'
        ), false)
    from {{ ref('stg_quickbooks__gl_entries') }}

    union all
    -- balance snapshots: current_assets >= cash + AR; AR and AP not negative.
    select 'financial', 'balance_snapshots', delivered_on,
        coalesce(current_assets >= cash + accounts_receivable, true)
        and coalesce(accounts_receivable >= 0, true)
        and coalesce(accounts_payable >= 0, true)
    from {{ ref('stg_quickbooks__balance_snapshots') }}

    union all
    -- Stripe amounts are not negative; a refund never exceeds its charge.
    select 'financial', 'stripe_charges', delivered_on,
        coalesce(amount_usd >= 0, true)
        and coalesce(amount_refunded_usd between 0 and amount_usd, true)
    from {{ ref('stg_stripe__charges') }}

    union all
    select 'financial', 'stripe_invoices', delivered_on,
        coalesce(amount_due_usd >= 0, true) and coalesce(amount_paid_usd >= 0, true)
    from {{ ref('stg_stripe__invoices') }}

    union all
    select 'financial', 'stripe_refunds', delivered_on, coalesce(amount_usd >= 0, true)
    from {{ ref('stg_stripe__refunds') }}

    union all
    -- marketing spend: not negative, channel present in the channel map.
    select 'financial', 'marketing_spend', s.delivered_on,
        coalesce(s.spend_usd >= 0, true) and m.channel is not null
    from {{ ref('stg_marketing__spend') }} as s
    left join channels as m on s.channel = m.channel
)

select
    check_date,
    domain,
    entity,
    count(*) as rows_checked,
    count(*) filter (where is_pass) as rows_passed,
    count(*) filter (where not is_pass or is_pass is null) as rows_failed
from checks
where check_date is not null
group by check_date, domain, entity
