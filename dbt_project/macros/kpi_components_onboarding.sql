{# int_kpi_* models of the onboarding KPI group (see kpi_components.sql). #}
{% macro kpi_components_onboarding() %}
    {% set models = [
        'int_kpi_onboarding_closures',
        'int_kpi_onboarding_durations',
        'int_kpi_onboarding_cohorts',
        'int_kpi_onboarding_response_time',
        'int_kpi_onboarding_surveys',
        'int_kpi_onboarding_milestones',
        'int_kpi_onboarding_automation',
        'int_kpi_onboarding_blockers',
        'int_kpi_client_health_score',
        'int_kpi_onboarding_expansion',
    ] %}
    {{ return(models) }}
{% endmacro %}

{#
  The component contract of fct_kpi_observations for onboarding KPIs, from a CTE of records.

  `records` names a CTE with one row per counted record:
    kpi_id, record_date (the period-deciding date, business time), employee_id, client_id
    (entity keys, null when the KPI has no such grain), numerator, denominator (per record:
    1 / 0 and 1 for a rate, the value and 1 for a mean).
  `kpis` lists the KPIs the model delivers: {'kpi_id', 'scale' (100 for % and NPS points, 1
  for means), 'maturity_days' (cohort KPIs: provisional until period_end_utc + this many days
  <= as_of; omit for other classes), 'coverage_lag_days' (cohorts dated this many days after
  the contract; default 0)}.
  `coverage_start` is a SQL date, the first delivery of the onboarding extract: company rows are
  emitted for every period that ends after coverage_start + coverage_lag_days (so an empty
  period is an explicit null value, no_data, while a period before the extract's history is
  not reported at all), entity rows only where records exist.

  Time grains and entity grains come from seed kpi_definitions (time_grains, entity_grains), so
  only what the catalogue lists is computed. Every grain is recomputed from the records
  (Σnumerator / Σdenominator), never from finer grains. Emits trailing CTEs and the final
  select: call it right after the records CTE, inside the model's `with`.
#}
{% macro onboarding_kpi_components(records, kpis, coverage_start) %}
, ob_kpi_settings as (
    {%- for k in kpis %}
    {%- set maturity = k.get('maturity_days') %}
    select
        '{{ k.kpi_id }}' as kpi_id,
        cast({{ k.scale }} as double) as value_scale,
        cast({{ maturity if maturity is not none else 'null' }} as integer) as maturity_days,
        cast({{ k.get('coverage_lag_days', 0) }} as integer) as coverage_lag_days
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

ob_kpi_grains as (
    select
        s.kpi_id,
        s.value_scale,
        s.maturity_days,
        s.coverage_lag_days,
        string_split(replace(d.time_grains, ' ', ''), ',') as time_grains,
        string_split(replace(d.entity_grains, ' ', ''), ',') as entity_grains
    from ob_kpi_settings as s
    inner join {{ ref('kpi_definitions') }} as d on s.kpi_id = d.kpi_id
),

ob_periods as (
    select
        k.kpi_id,
        k.value_scale,
        k.maturity_days,
        k.entity_grains,
        p.grain,
        p.period_start,
        p.period_end,
        p.period_end_utc,
        p.is_partial
    from ob_kpi_grains as k
    inner join {{ ref('int_kpi_periods') }} as p
        on list_contains(k.time_grains, p.grain_code)
    where p.period_end > {{ coverage_start }} + to_days(k.coverage_lag_days)
),

ob_assigned as (
    select
        p.kpi_id,
        p.grain,
        p.period_start,
        p.entity_grains,
        r.employee_id,
        r.client_id,
        r.numerator,
        r.denominator
    from {{ records }} as r
    inner join ob_periods as p
        on r.kpi_id = p.kpi_id
        and r.record_date >= p.period_start
        and r.record_date < p.period_end
),

ob_aggregated as (
    select
        kpi_id,
        grain,
        period_start,
        case
            when grouping(employee_id) = 0 then 'employee'
            when grouping(client_id) = 0 then 'client'
            else 'company'
        end as entity_type,
        case
            when grouping(employee_id) = 0 then employee_id
            when grouping(client_id) = 0 then client_id
            else 'all'
        end as entity_id,
        case
            when grouping(employee_id) = 0 then 'emp'
            when grouping(client_id) = 0 then 'client'
            else 'co'
        end as entity_code,
        any_value(entity_grains) as entity_grains,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        count(*) as records
    from ob_assigned
    group by grouping sets (
        (kpi_id, grain, period_start),
        (kpi_id, grain, period_start, employee_id),
        (kpi_id, grain, period_start, client_id)
    )
),

ob_entity_rows as (
    select *
    from ob_aggregated
    where entity_code <> 'co'
      and entity_id is not null
      and list_contains(entity_grains, entity_code)
),

ob_company_rows as (
    select
        p.kpi_id,
        p.grain,
        p.period_start,
        'company' as entity_type,
        'all' as entity_id,
        a.numerator,
        a.denominator,
        a.records
    from ob_periods as p
    left join ob_aggregated as a
        on p.kpi_id = a.kpi_id
        and p.grain = a.grain
        and p.period_start = a.period_start
        and a.entity_code = 'co'
    where list_contains(p.entity_grains, 'co')
),

ob_rows as (
    select kpi_id, grain, period_start, entity_type, entity_id, numerator, denominator, records
    from ob_company_rows
    union all
    select kpi_id, grain, period_start, entity_type, entity_id, numerator, denominator, records
    from ob_entity_rows
)

select
    r.kpi_id,
    r.grain,
    r.entity_type,
    cast(r.entity_id as varchar) as entity_id,
    r.period_start,
    p.period_end,
    cast(r.numerator as double) as numerator,
    cast(r.denominator as double) as denominator,
    case when r.denominator > 0 then p.value_scale * r.numerator / r.denominator end as value,
    cast(coalesce(r.records, 0) as bigint) as sample_size,
    p.is_partial,
    coalesce(p.period_end_utc + to_days(p.maturity_days) > {{ as_of() }}, false) as is_provisional,
    false as is_red_override
from ob_rows as r
inner join ob_periods as p
    on r.kpi_id = p.kpi_id
    and r.grain = p.grain
    and r.period_start = p.period_start
{% endmacro %}
