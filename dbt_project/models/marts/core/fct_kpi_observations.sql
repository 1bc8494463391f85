-- One row per KPI x grain x entity x period (DESIGN.md §4), with the stored components, the
-- target in force at the period's end, RAG status (catalogue §4), signed gap and gap % (§8),
-- previous value, change, worsening streak and trend label. Each int_kpi_* model delivers the
-- components of its KPIs in the same shape; status, gap and trend come from shared macros
-- driven by the seeds, so no KPI has a mechanism of its own.
-- Component contract (every int_kpi_* model): kpi_id, grain, entity_type, entity_id,
-- period_start, period_end, numerator, denominator, value, sample_size, is_partial,
-- is_provisional, is_red_override (a KPI's own non-threshold red rule, else false).
-- Data quality (catalogue §4 DQ cap, §10.3): each row's quality_status comes from the checks in
-- force on the raw tables its component model reads (int_quality__kpi_inputs, walked from the
-- dbt DAG) for the load days inside its period; an accuracy or completeness failure there turns
-- a computed green into yellow with reason_code dq_unverified.
{% set components = kpi_components() %}

with components as (
    {% for model in components %}
    select
        '{{ model }}' as component_model,
        kpi_id, grain, entity_type, entity_id, period_start, period_end,
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        cast(value as double) as value,
        cast(sample_size as bigint) as sample_size,
        is_partial,
        is_provisional,
        is_red_override
    from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

-- Quality depends on the component model and the period only, not on the entity.
component_periods as (
    select distinct component_model, grain, period_start, period_end from components
),

period_quality as (
    select
        p.component_model,
        p.grain,
        p.period_start,
        bool_or(f.blocking) as has_blocking_failure,
        bool_or(f.caps_green) as caps_green
    from component_periods as p
    inner join {{ ref('int_quality__kpi_inputs') }} as l
        on l.component_model = p.component_model
    inner join {{ ref('int_quality__input_failures') }} as f
        on f.raw_table = l.raw_table
        and f.period_start < p.period_end
        and f.period_end > p.period_start
    group by p.component_model, p.grain, p.period_start
),

params as (
    select max(value) filter (where parameter = 'materiality_pct') as materiality_pct
    from {{ ref('kpi_params') }}
),

periods as (
    select grain, grain_code, period_start from {{ ref('int_kpi_periods') }}
),

-- The grains the catalogue lists for the KPI, judged by the target in force on the last day.
scoped as (
    select
        c.*,
        t.* exclude (kpi_id, valid_from, valid_to, target_value, red_flag_value),
        case c.grain when 'month' then 1 when 'quarter' then 3 when 'year' then 12 end as months,
        t.target_value as catalogue_target_value,
        t.red_flag_value as catalogue_red_flag_value
    from components as c
    inner join periods as p
        on c.grain = p.grain and c.period_start = p.period_start
    inner join {{ ref('int_kpi_targets') }} as t
        on c.kpi_id = t.kpi_id
        and {{ dbt.dateadd('day', -1, 'c.period_end') }} >= t.valid_from
        and (t.valid_to is null or {{ dbt.dateadd('day', -1, 'c.period_end') }} < t.valid_to)
    where list_contains(string_split(t.time_grains, ','), p.grain_code)
),

adjusted as (
    select
        s.*,
        -- Annual-target KPIs are judged on the annualised value (catalogue §1.3, §10.15).
        case s.annualisation
            when 'survival' then 100 * power(s.value / 100, 12.0 / s.months)
            when 'loss' then 100 * (1 - power(1 - s.value / 100, 12.0 / s.months))
            when 'linear' then s.value * 12.0 / s.months
            else s.value
        end as rag_value,
        -- Per-month targets scale with months(P) at q/y (operating_cash_flow, §3).
        case when s.target_scales_with_months then s.catalogue_target_value * s.months
            else s.catalogue_target_value end as target_value,
        case when s.target_scales_with_months then s.catalogue_red_flag_value * s.months
            else s.catalogue_red_flag_value end as red_flag_value,
        case
            when s.value is null then 'no_qualifying_records'
            when s.min_n is not null and coalesce(s.sample_size, 0) < s.min_n then 'below_min_n'
        end as no_data_reason,
        p.materiality_pct
    from scoped as s
    cross join params as p
),

judged as (
    select
        *,
        {{ kpi_status() }} as status,
        {{ kpi_gap() }} as gap,
        {{ kpi_gap_pct() }} as gap_pct,
        {{ kpi_gap_to_red() }} as gap_to_red,
        reference_high is not null and rag_value > reference_high as is_above_band,
        {{ kpi_performance_value() }} as performance_value
    from adjusted
),

changes as (
    select
        *,
        lag(value) over series as previous_value,
        lag(rag_value) over series as previous_rag_value,
        case when not is_partial and not is_provisional and no_data_reason is null
            then performance_value - lag(performance_value) over series
        end as delta
    from judged
    window series as (
        partition by kpi_id, grain, entity_type, entity_id order by period_start
    )
),

labelled as (
    select
        *,
        case
            when delta is null then null
            when delta < -{{ kpi_materiality() }} then 'worse'
            when delta > {{ kpi_materiality() }} then 'better'
            else 'flat'
        end as change
    from changes
),

-- Islands: a new group starts at every period that is not worse (not better, not off target).
grouped as (
    select
        *,
        sum(case when change = 'worse' then 0 else 1 end) over running as worse_group,
        sum(case when change = 'better' then 0 else 1 end) over running as better_group,
        sum(case when status in ('yellow', 'red') and not is_partial then 0 else 1 end)
            over running as off_target_group,
        case change when 'worse' then -1 when 'better' then 1 end as change_sign
    from labelled
    window running as (
        partition by kpi_id, grain, entity_type, entity_id order by period_start
        rows between unbounded preceding and current row
    )
),

streaks as (
    select
        *,
        sum(case when change = 'worse' then 1 else 0 end) over (
            partition by kpi_id, grain, entity_type, entity_id, worse_group order by period_start
        ) as worsening_streak,
        sum(case when change = 'better' then 1 else 0 end) over (
            partition by kpi_id, grain, entity_type, entity_id, better_group order by period_start
        ) as improving_streak,
        sum(case when status in ('yellow', 'red') and not is_partial then 1 else 0 end) over (
            partition by kpi_id, grain, entity_type, entity_id, off_target_group
            order by period_start
        ) as off_target_streak,
        coalesce(change_sign <> last_value(change_sign ignore nulls) over (
            partition by kpi_id, grain, entity_type, entity_id order by period_start
            rows between unbounded preceding and 1 preceding
        ), false) as is_sign_flip
    from grouped
),

volatility as (
    select
        *,
        sum(case when is_sign_flip then 1 else 0 end) over last_six as sign_flips_6,
        max(rag_value) over last_six - min(rag_value) over last_six as range_6
    from streaks
    window last_six as (
        partition by kpi_id, grain, entity_type, entity_id order by period_start
        rows between 5 preceding and current row
    )
),

-- Streaks and trend above follow the computed status; the DQ cap changes what is reported.
with_quality as (
    select
        v.*,
        q.component_model is not null as has_input_failure,
        coalesce(q.has_blocking_failure, false) as has_blocking_failure,
        v.status = 'green' and coalesce(q.caps_green, false) as is_dq_capped
    from volatility as v
    left join period_quality as q
        on q.component_model = v.component_model
        and q.grain = v.grain
        and q.period_start = v.period_start
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
    rag_value,
    -- judgement
    target_operator,
    target_value,
    target_low,
    target_high,
    red_flag_operator,
    red_flag_value,
    red_flag_low,
    red_flag_high,
    case when is_dq_capped then 'yellow' else status end as status,
    coalesce(no_data_reason, case when is_dq_capped then 'dq_unverified' end) as reason_code,
    case
        when has_blocking_failure then 'failed'
        when has_input_failure then 'degraded'
        else 'verified'
    end as quality_status,
    gap,
    gap_pct,
    gap_to_red,
    is_above_band,
    -- trend (catalogue §8)
    previous_value,
    change,
    cast(worsening_streak as integer) as worsening_streak,
    cast(off_target_streak as integer) as off_target_streak,
    case
        when change is null and delta is null and (is_partial or rag_value is null) then null
        when worsening_streak >= 3 then 'declining'
        when improving_streak >= 3 then 'improving'
        when sign_flips_6 >= 3 and target_value is not null
            and range_6 >= 0.1 * abs(target_value) then 'volatile'
        else 'stable'
    end as trend,
    -- flags
    is_partial,
    is_provisional,
    {{ as_of() }} as as_of
from with_quality
