{# The scorecard of one perspective: every observation of its KPIs at every grain and entity
   (executive rows are the strategic KPIs at company grain; tactical rows reach employees,
   agents and clients). #}
{% macro scorecard_perspective(perspective) %}
select
    kpi_id,
    kpi_name,
    level,
    department,
    grain,
    entity_type,
    entity_id,
    period_start,
    period_end,
    unit,
    value,
    rag_value,
    target_operator,
    target_value,
    target_low,
    target_high,
    red_flag_operator,
    red_flag_value,
    status,
    reason_code,
    gap,
    gap_pct,
    previous_value,
    change,
    trend,
    worsening_streak,
    off_target_streak,
    is_partial,
    is_provisional,
    quality_status
from {{ ref('fct_kpi_observations') }}
where perspective = '{{ perspective }}'
{% endmacro %}
