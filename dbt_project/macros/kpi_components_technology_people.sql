{# int_kpi_* models of the technology people KPI group (see kpi_components.sql): the
   technology rows of catalogue §2.3 and the learning & growth rows of §2.4. #}
{% macro kpi_components_technology_people() %}
    {{ return([
        'int_kpi_system_uptime',
        'int_kpi_automation',
        'int_kpi_api',
        'int_kpi_integrations',
        'int_kpi_backup_success_rate',
        'int_kpi_security_incident_rate',
        'int_kpi_product_usage',
        'int_kpi_data_accuracy_rate',
        'int_kpi_employee_satisfaction',
        'int_kpi_employee_retention_turnover',
        'int_kpi_training',
        'int_kpi_performance_reviews',
        'int_kpi_internal_promotion_rate',
        'int_kpi_certification_maintenance_rate',
        'int_kpi_innovation_contribution_rate',
    ]) }}
{% endmacro %}

{#
  The tail of a single-KPI people model: given CTEs `periods` (the KPI's periods) and
  `by_period` (grain, period_start, entity_type, entity_id and the sums the KPI needs), deliver
  the component contract with a company row for every period, a real 0 over 0 (no_data) where
  nothing happened, and a row per department or employee where something did.
  `numerator` and `denominator` are SQL over by_period's columns (alias b).
#}
{% macro people_kpi_contract(kpi_id, numerator, denominator, scale=1.0) %}
keyed as (
    select p.grain, p.period_start, p.period_end, p.is_partial, 'company' as entity_type,
        'all' as entity_id
    from periods as p
    union all
    select p.grain, p.period_start, p.period_end, p.is_partial, b.entity_type, b.entity_id
    from by_period as b
    inner join periods as p on b.grain = p.grain and b.period_start = p.period_start
    where b.entity_type <> 'company'
)

select
    '{{ kpi_id }}' as kpi_id,
    k.grain,
    k.entity_type,
    k.entity_id,
    k.period_start,
    k.period_end,
    coalesce({{ numerator }}, 0) as numerator,
    coalesce({{ denominator }}, 0) as denominator,
    case when {{ denominator }} > 0
        then {{ scale }} * {{ numerator }} / {{ denominator }} end as value,
    coalesce({{ denominator }}, 0) as sample_size,
    k.is_partial,
    false as is_provisional,
    false as is_red_override
from keyed as k
left join by_period as b
    on k.grain = b.grain and k.period_start = b.period_start
    and k.entity_type = b.entity_type and k.entity_id = b.entity_id
{% endmacro %}
