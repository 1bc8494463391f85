-- Every version of every KPI's target and red flag, effective-dated (DESIGN.md §4): the
-- catalogue's own (valid since ever) and each change in kpi_target_changes. Parameter targets
-- (turnover benchmark) and factor red flags become plain numbers here.
with definitions as (
    select * from {{ ref('kpi_definitions') }}
),

params as (
    select * from {{ ref('kpi_params') }}
),

changes as (
    select * from {{ ref('kpi_target_changes') }}
),

catalogue_versions as (
    select
        d.kpi_id,
        cast('1900-01-01' as date) as valid_from,
        d.target_operator,
        coalesce(d.target_value, p.value) as target_value,
        d.target_low,
        d.target_high,
        d.red_flag_operator,
        coalesce(d.red_flag_value, d.red_flag_factor * p.value) as red_flag_value,
        d.red_flag_low,
        d.red_flag_high
    from definitions as d
    left join params as p on d.target_param = p.parameter
),

versions as (
    select * from catalogue_versions
    union all
    select
        kpi_id, valid_from, target_operator, target_value, target_low, target_high,
        red_flag_operator, red_flag_value, red_flag_low, red_flag_high
    from changes
)

select
    v.kpi_id,
    v.valid_from,
    lead(v.valid_from) over (partition by v.kpi_id order by v.valid_from) as valid_to,
    d.name as kpi_name,
    d.perspective,
    d.level,
    d.department,
    d.unit,
    d.direction,
    d.agg,
    d.time_grains,
    d.entity_grains,
    d.annualisation,
    d.target_scales_with_months,
    d.min_n,
    d.red_flag_rule,
    d.reference_high,
    v.target_operator,
    v.target_value,
    v.target_low,
    v.target_high,
    v.red_flag_operator,
    v.red_flag_value,
    v.red_flag_low,
    v.red_flag_high
from versions as v
inner join definitions as d on v.kpi_id = d.kpi_id
