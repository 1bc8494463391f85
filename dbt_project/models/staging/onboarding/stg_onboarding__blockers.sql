-- One row per onboarding blocker: its latest delivered state, instants in UTC.
with source as (
    select * from {{ source('onboarding', 'blockers') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by blocker_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        blocker_id,
        client_id,

        -- strings
        type as blocker_type,
        severity,
        status,

        -- booleans
        status = 'open' as is_open,

        -- timestamps (UTC)
        logged_at,
        resolved_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
