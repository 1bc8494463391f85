-- One row per system incident: its latest delivered state, typed, instants in UTC.
with source as (
    select * from {{ source('uptime', 'incidents') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by incident_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        incident_id,

        -- strings
        system,
        severity,
        status,

        -- numerics
        minutes_down,

        -- booleans
        critical as is_critical_system,

        -- timestamps (UTC)
        started_at,
        ended_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
