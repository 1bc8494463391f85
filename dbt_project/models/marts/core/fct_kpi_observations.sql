-- One row per KPI x grain x entity x period (DESIGN.md §4), with the stored components, the
-- target in force, RAG status, signed gap and the previous period's value. Each int_kpi_* model
-- delivers the components of its KPIs; status and gap come from the shared macros.
{% set components = [
    'int_kpi_mrr',
] %}

with components as (
    {% for model in components %}
    select
        kpi_id, grain, entity_type, entity_id, period_start, period_end,
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        cast(value as double) as value,
        cast(sample_size as bigint) as sample_size,
        is_partial, is_provisional
    from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

targets as (
    select * from {{ ref('int_kpi_targets') }}
),

periods as (
    select grain, grain_code, period_start from {{ ref('int_kpi_periods') }}
),

-- Only the grains the catalogue lists for the KPI.
scoped as (
    select c.*, t.* exclude (kpi_id)
    from components as c
    inner join targets as t on c.kpi_id = t.kpi_id
    inner join periods as p on c.grain = p.grain and c.period_start = p.period_start
    where list_contains(string_split(t.time_grains, ','), p.grain_code)
),

judged as (
    select
        *,
        {{ kpi_status('value', 'is_provisional') }} as status,
        {{ kpi_gap('value') }} as gap,
        {{ kpi_gap_pct('value') }} as gap_pct
    from scoped
)

select
    -- keys
    {{ dbt.concat(["kpi_id", "'|'", "grain", "'|'", "entity_type", "'|'", "entity_id", "'|'", "cast(period_start as varchar)"]) }}
        as observation_id,
    kpi_id,
    grain,
    entity_type,
    entity_id,
    period_start,
    period_end,
    -- catalogue attributes
    kpi_name,
    perspective,
    level,
    department,
    unit,
    direction,
    agg,
    -- components and value
    numerator,
    denominator,
    sample_size,
    value,
    -- judgement
    target_operator,
    target_value,
    target_low,
    target_high,
    red_flag_operator,
    red_flag_value,
    red_flag_low,
    red_flag_high,
    status,
    gap,
    gap_pct,
    lag(value) over (
        partition by kpi_id, grain, entity_type, entity_id order by period_start
    ) as previous_value,
    is_partial,
    is_provisional,
    {{ as_of() }} as as_of
from judged
