-- One row per onboarding (client, contract): its latest delivered state, instants in UTC.
with source as (
    select * from {{ source('onboarding', 'onboardings') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by client_id, contract_signed_at order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        client_id,
        csm_id,

        -- strings
        status,

        -- numerics
        cast(portal_logins as integer) as portal_logins,
        cast(agency_hours as double) as agency_hours,
        cast(support_tickets as integer) as support_tickets,

        -- booleans
        training_completed,
        tool_active_by_week2,
        status = 'handed_off' as is_handed_off,

        -- timestamps (UTC)
        contract_signed_at,
        first_win_at,
        handoff_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
