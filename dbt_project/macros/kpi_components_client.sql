{# int_kpi_* models of the client KPI group (see kpi_components.sql). #}
{% macro kpi_components_client() %}
    {{ return([
        'int_kpi_client_surveys',
        'int_kpi_client_retention',
        'int_kpi_client_tickets',
        'int_kpi_client_response_time',
        'int_kpi_client_disputes',
        'int_kpi_client_credit_outcomes',
        'int_kpi_client_qa',
        'int_kpi_client_marketing',
    ]) }}
{% endmacro %}

{#
  The (kpi_id, grain, entity_type) combinations a client-group model computes, as a relation:
  the time grains and entity grains the catalogue row lists (seed kpi_definitions), so a model
  joins its records only to the periods and entities it must deliver. `scope` maps each kpi_id
  to {'grains': [...int_kpi_periods.grain...], 'entities': [...entity_type...]}.
#}
{% macro client_kpi_scope(scope) %}
    {%- set rows = [] -%}
    {%- for kpi_id, spec in scope.items() -%}
        {%- for grain in spec['grains'] -%}
            {%- for entity_type in spec['entities'] -%}
                {%- do rows.append("('" ~ kpi_id ~ "', '" ~ grain ~ "', '" ~ entity_type ~ "')") -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    select * from (values {{ rows | join(', ') }}) as scope (kpi_id, grain, entity_type)
{% endmacro %}

{#
  The rest of a client-group KPI model once its `records` CTE exists (one row per counted
  record: kpi_id, period_date, the entity columns, numerator, denominator): fan the records out
  to the company and to each entity in `entity_columns` ({entity_type: column}), keep the grains
  and entities `scope` lists, sum numerators and denominators per period (every grain from the
  records, never from a finer grain), and deliver the component contract. KPIs in `pct_kpis`
  are percentages (100 x numerator / denominator); the others are plain ratios or means.
#}
{% macro client_kpi_rollup(scope, entity_columns, pct_kpis=[]) %}
entities as (
    select kpi_id, period_date, 'company' as entity_type, 'all' as entity_id,
        numerator, denominator
    from records
    {%- for entity_type, column in entity_columns.items() %}
    union all
    select kpi_id, period_date, '{{ entity_type }}', {{ column }}, numerator, denominator
    from records
    where {{ column }} is not null
    {%- endfor %}
),

scope as (
    {{ client_kpi_scope(scope) }}
),

aggregated as (
    select
        e.kpi_id,
        p.grain,
        e.entity_type,
        e.entity_id,
        p.period_start,
        p.period_end,
        p.is_partial,
        sum(e.numerator) as numerator,
        sum(e.denominator) as denominator,
        count(*) as sample_size
    from entities as e
    inner join scope as s
        on e.kpi_id = s.kpi_id and e.entity_type = s.entity_type
    inner join {{ ref('int_kpi_periods') }} as p
        on s.grain = p.grain
        and e.period_date >= p.period_start
        and e.period_date < p.period_end
    group by e.kpi_id, p.grain, e.entity_type, e.entity_id, p.period_start, p.period_end,
        p.is_partial
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
        {%- if pct_kpis %}
        when denominator > 0 and kpi_id in ('{{ pct_kpis | join("', '") }}')
            then 100.0 * numerator / denominator
        {%- endif %}
        when denominator > 0 then numerator / denominator
    end as value,
    sample_size,
    is_partial,
    false as is_provisional,
    false as is_red_override
from aggregated
{% endmacro %}
