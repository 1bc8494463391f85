-- Rows ingestion could not load (raw.quarantine), for data stewards: the file, line, reason and
-- load day, never the line itself (it may hold PII). Values a reason quotes from the line are
-- masked for the same reason.
select
    raw_table,
    replace(raw_table, 'raw.', '') as source,
    cast(partition_key as date) as load_date,
    source_file,
    line_number,
    regexp_replace(reason, '"[^"]*"', '"…"', 'g') as reason,
    quarantined_at
from {{ source('ingest_audit', 'quarantine') }}
