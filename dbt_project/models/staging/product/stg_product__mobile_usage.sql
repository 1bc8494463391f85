-- One row per mobile-app session.
with source as (
    select * from {{ source('product', 'mobile_usage') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by event_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        event_id,
        client_id,

        -- strings
        platform,

        -- timestamps (UTC)
        used_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
