-- Raw tables whose data failed a check in force, per period the failure covers (a load day, or
-- the reconciled month): the inputs of the KPI quality status and the DQ cap (catalogue §4,
-- §10.3). Table-level verdicts (column types, load_date null) cover every period.
select
    raw_table,
    standard,
    expectation,
    coalesce(period_start, cast('1900-01-01' as date)) as period_start,
    coalesce(period_end, cast('9999-12-31' as date)) as period_end,
    blocking,
    -- accuracy and completeness (reconciliations are accuracy rules, §7.2) cap a green KPI;
    -- timeliness degrades its quality status only.
    standard in ('accuracy', 'completeness', 'reconciliation') as caps_green
from {{ ref('int_quality__current_verdicts') }}
where not passed
