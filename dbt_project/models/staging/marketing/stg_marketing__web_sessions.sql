-- One row per website session from web analytics.
with source as (
    select * from {{ source('marketing', 'web_sessions') }}
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
