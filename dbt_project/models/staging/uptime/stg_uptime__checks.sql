-- One row per hourly health check, typed, instants in UTC.
with source as (
    select * from {{ source('uptime', 'checks') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by check_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        check_id,

        -- strings
        system,

        -- booleans
        ok as is_ok,

        -- timestamps (UTC)
        checked_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
