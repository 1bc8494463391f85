-- The target and red flag in force for each KPI, resolved from the seeds (catalogue §2, §3):
-- parameter targets (turnover benchmark) and factor red flags become plain numbers here.
with definitions as (
    select * from {{ ref('kpi_definitions') }}
),

params as (
    select * from {{ ref('kpi_params') }}
)

select
    d.kpi_id,
    d.name as kpi_name,
    d.perspective,
    d.level,
    d.department,
    d.unit,
    d.direction,
    d.agg,
    d.time_grains,
    d.entity_grains,
    d.annualised,
    d.target_scales_with_months,
    d.min_n,
    d.target_operator,
    coalesce(d.target_value, p.value) as target_value,
    d.target_low,
    d.target_high,
    d.reference_high,
    d.red_flag_operator,
    coalesce(d.red_flag_value, d.red_flag_factor * p.value) as red_flag_value,
    d.red_flag_low,
    d.red_flag_high,
    d.red_flag_rule
from definitions as d
left join params as p
    on d.target_param = p.parameter
