-- One row per website session from web analytics.
-- Incremental on the daily partition (event-level, one of the biggest sources): a run rebuilds
-- only the keys delivered in its partition window (macros/partition_window.sql).
{{ config(
    materialized='incremental',
    unique_key='session_id',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns'
) }}

with source as (
    {{ incremental_source('marketing', 'web_sessions', 'session_id') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by session_id
        order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        session_id,
        visitor_key,

        -- strings
        channel,
        landing_page,
        device,

        -- timestamps (UTC)
        started_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
