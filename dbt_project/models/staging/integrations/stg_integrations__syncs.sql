-- One row per integration sync attempt, typed, instants in UTC.
-- Incremental on the daily partition (event-level, one of the biggest sources): a run rebuilds
-- only the keys delivered in its partition window (macros/partition_window.sql).
{{ config(
    materialized='incremental',
    unique_key='sync_id',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns'
) }}

with source as (
    {{ incremental_source('integrations', 'syncs', 'sync_id') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by sync_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        sync_id,

        -- strings
        integration,

        -- numerics
        records as records_synced,

        -- booleans
        succeeded as is_succeeded,
        realtime as is_realtime,

        -- timestamps (UTC)
        source_event_at,
        started_at,
        completed_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select
    *,
    -- Source event to completed sync, in minutes (data_processing_speed takes the p95).
    {{ dbt.datediff('coalesce(source_event_at, started_at)', 'completed_at', 'millisecond') }}
        / 60000.0 as processing_minutes
from renamed
