-- Files that did not load cleanly, the latest attempt of each partition (raw.load_log): missing,
-- empty, duplicate deliveries, rejected files and files with quarantined rows. Beside
-- mart_quarantined_rows, the other half of what ingestion set aside.
with latest as (
    select *
    from {{ source('ingest_audit', 'load_log') }}
    qualify row_number() over (
        partition by raw_table, partition_key order by loaded_at desc
    ) = 1
)

select
    raw_table,
    replace(raw_table, 'raw.', '') as source,
    cast(partition_key as date) as load_date,
    source_file,
    status,
    rows_in,
    rows_loaded,
    rows_quarantined,
    message,
    loaded_at
from latest
where status <> 'loaded' or rows_quarantined > 0
