-- One row per security detection: its latest delivered state, typed, instants in UTC.
with source as (
    select * from {{ source('security', 'incidents') }}
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
        severity,
        category,
        status,

        -- booleans
        confirmed as is_confirmed,

        -- timestamps (UTC)
        detected_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
