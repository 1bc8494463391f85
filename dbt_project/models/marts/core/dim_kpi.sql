-- One row per KPI of the catalogue, with the target and red flag in force today.
with definitions as (
    select * from {{ ref('kpi_definitions') }}
),

current_targets as (
    select * from {{ ref('int_kpi_targets') }} where valid_to is null
)

select
    d.kpi_id,
    d.name as kpi_name,
    d.perspective,
    d.level,
    d.department,
    d.unit,
    d.direction,
    t.target_operator,
    t.target_value,
    t.target_low,
    t.target_high,
    t.red_flag_operator,
    t.red_flag_value,
    t.red_flag_low,
    t.red_flag_high,
    d.red_flag_rule,
    t.valid_from as target_valid_from,
    d.time_grains,
    d.entity_grains,
    split_part(d.time_grains, ',', 1) as primary_time_grain,
    split_part(d.entity_grains, ',', 1) as primary_entity_grain,
    d.slices,
    d.agg,
    d.cs_tier,
    d.annualisation,
    d.formula,
    d.source_ref
from definitions as d
inner join current_targets as t on d.kpi_id = t.kpi_id
