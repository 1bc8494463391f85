-- Daily roll-up per source and standard of the verdicts in force (the latest evaluation of each
-- rule and load day): how many rules were judged, how many failed, and the pass rate. The view a
-- data steward starts from; the rules behind a failure are in mart_data_quality_results.
select
    source,
    standard,
    load_date,
    count(*) as checks,
    count(*) filter (where not passed) as failed,
    cast(round(100.0 * count(*) filter (where passed) / count(*), 2) as double) as pass_rate,
    bool_or(not passed and blocking) as has_blocking_failure,
    max(evaluated_at) as last_evaluated_at
from {{ ref('int_quality__current_verdicts') }}
where load_date is not null
group by source, standard, load_date
