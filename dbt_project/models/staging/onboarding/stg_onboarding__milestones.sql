-- One row per onboarding milestone: its latest delivered state, instants in UTC.
with source as (
    select * from {{ source('onboarding', 'milestones') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by milestone_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        milestone_id,
        client_id,

        -- strings
        milestone,
        owner,
        status,

        -- booleans
        status = 'completed' as is_completed,
        owner = 'client' as is_client_owned,

        -- dates (business time zone)
        cast(due_date as date) as due_date,

        -- timestamps (UTC)
        contract_signed_at,
        completed_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
