-- One row per sampled API request, typed, instants in UTC.
-- Incremental on the daily partition (event-level, one of the biggest sources): a run rebuilds
-- only the keys delivered in its partition window (macros/partition_window.sql).
{{ config(
    materialized='incremental',
    unique_key='request_id',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns'
) }}

with source as (
    {{ incremental_source('api', 'requests', 'request_id') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by request_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        request_id,

        -- strings
        system,
        method,
        endpoint,

        -- numerics
        status as http_status,
        latency_ms,

        -- booleans
        status is null as is_timeout,
        -- api_availability: 5xx and timeouts are failures, 4xx count as available.
        coalesce(status < 500, false) as is_available,

        -- timestamps (UTC)
        requested_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
