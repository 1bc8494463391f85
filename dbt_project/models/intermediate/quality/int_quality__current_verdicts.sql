-- The verdict in force for every rule of every source and load day (or month, or table): the
-- latest evaluation. A load day re-judged after its file was re-delivered takes its new verdict;
-- the history stays in int_quality__check_results.
select *
from {{ ref('int_quality__check_results') }}
qualify row_number() over (
    partition by source, suite, expectation, load_date, period_start
    order by evaluated_at desc, run_id desc
) = 1
