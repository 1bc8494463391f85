{{ config(pre_hook="{{ ensure_quality_results_table() }}") }}
-- Every expectation evaluation the GX asset checks appended (orchestration/quality), typed and
-- named as the quality layer reads them. The pre-hook creates the table on a warehouse where no
-- check has run yet, so the quality models always build.
select
    -- ids
    run_id,
    source,
    raw_table,
    standard,
    suite,
    expectation,
    gx_expectation_type,
    column_name,
    -- dates
    load_date,
    period_start,
    period_end,
    -- numerics
    observed,
    operator,
    threshold,
    checked_count,
    failed_count,
    -- booleans
    passed,
    blocking,
    -- timestamps
    as_of,
    evaluated_at
from {{ source('quality', 'check_results') }}
