-- AD1 (catalogue §7.1, §7.2-7.3): a data-quality expectation failed -> L1 to the data owner.
-- One event per check (source, standard, expectation, column, load day) and run of failing
-- evaluations in mart_data_quality_results: it opens at the first failing evaluation and clears
-- at the next evaluation of the same check that passes (a re-run after the data was fixed);
-- int_alerts__candidates merges a source's overlapping events into one alert per source.
-- The L2 case (a failure that affects a strategic KPI at month close) is not raised here.
with results as (
    select
        source,
        standard,
        expectation,
        coalesce(column_name, '') as column_name,
        load_date,
        observed,
        threshold,
        passed,
        -- the run's as-of is when the business learned the verdict (a backfill pinned in the
        -- past must see its own results); the wall-clock evaluated_at only breaks ties
        as_of as judged_at,
        evaluated_at
    from {{ ref('mart_data_quality_results') }}
    where as_of <= {{ as_of() }}
      and passed is not null
),

runs as (
    select
        *,
        sum(case when passed then 1 else 0 end) over check_history as passes_before,
        -- when the next evaluation of the same check passed: the failing run ends there. A
        -- re-run at the same as_of that still fails must not close it (judged_at ties).
        case when lead(passed) over check_history then lead(judged_at) over check_history end
            as next_pass_at
    from results
    window check_history as (
        partition by source, standard, expectation, column_name, load_date
        order by judged_at, evaluated_at
        rows between unbounded preceding and current row
    )
),

failures as (
    select
        source,
        standard,
        expectation,
        column_name,
        load_date,
        passes_before,
        min(judged_at) as opened_at,
        -- only the last failing evaluation of the run can be followed by a pass (else open)
        max(next_pass_at) as closed_at,
        arg_max(observed, judged_at) as observed,
        arg_max(threshold, judged_at) as threshold
    from runs
    where not passed
    group by source, standard, expectation, column_name, load_date, passes_before
)

select
    'AD1' as rule_id,
    'dq_failure' as variant,
    cast(null as varchar) as kpi_id,
    'source' as entity_type,
    source as entity_id,
    cast(null as varchar) as department_id,
    cast(null as varchar) as grain,
    cast(null as date) as period_start,
    {{ dbt.concat(["standard", "'|'", "expectation", "'|'", "column_name", "'|'", "coalesce(cast(load_date as varchar), '')", "'|'", "cast(opened_at as varchar)"]) }}
        as opened_key,
    opened_at,
    closed_at,
    cast(null as varchar) as condition_level,
    cast(observed as double) as observed,
    cast(threshold as double) as threshold,
    standard || ' check ' || expectation
        || case when column_name <> '' then ' on ' || column_name else '' end
        || coalesce(' for ' || cast(load_date as varchar), '') || ' failed' as detail
from failures
