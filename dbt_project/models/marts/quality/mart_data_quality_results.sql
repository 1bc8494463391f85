-- Every expectation evaluation of every run (the contract of helpers' interfaces): what was
-- judged, the figure observed, the threshold in force and GX's verdict, per load day where the
-- rule is daily. History: a re-run adds rows, it never rewrites them.
select
    run_id,
    as_of,
    source,
    raw_table,
    standard,
    suite,
    expectation,
    gx_expectation_type,
    column_name,
    load_date,
    period_start,
    period_end,
    observed,
    operator,
    threshold,
    checked_count,
    failed_count,
    passed,
    blocking,
    evaluated_at
from {{ ref('int_quality__check_results') }}
