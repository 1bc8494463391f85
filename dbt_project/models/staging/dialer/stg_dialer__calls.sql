-- One row per dial: typed, funnel flags with null read as false (catalogue §1.2), the dialer's
-- lead id pseudonymised. Instants stay naive UTC; bucket by agent-day in the business time zone
-- downstream (catalogue §6).
-- Incremental on the daily partition (event-level, one of the biggest sources): a run rebuilds
-- only the keys delivered in its partition window (macros/partition_window.sql).
{{ config(
    materialized='incremental',
    unique_key='call_id',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns'
) }}

with source as (
    {{ incremental_source('dialer', 'calls', 'call_id') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by call_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        call_id,
        agent_id,
        client_id,
        {{ pseudonymise('dialer_lead_id') }} as dialer_lead_key,

        -- strings
        queue,
        direction,
        disposition,

        -- numerics
        duration_s,

        -- booleans (catalogue §1.2: a null event flag means false)
        duration_s > 0 as is_connected,
        coalesce(engaged, false) as engaged,
        coalesce(quoted, false) as quoted,
        coalesce(application_submitted, false) as application_submitted,
        coalesce(sale_closed, false) as sale_closed,

        -- timestamps (UTC)
        started_at,
        {{ dbt.dateadd('second', 'coalesce(duration_s, 0)', 'started_at') }} as ended_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
