-- One row per CRM sales opportunity: its latest delivered state, typed, amounts in USD.
with source as (
    select * from {{ source('crm', 'opportunities') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by opportunity_id
        order by _partition desc, _line desc nulls last, updated_at desc
    ) = 1
),

renamed as (
    select
        -- ids
        opportunity_id,
        lead_id,
        owner_id,

        -- strings
        stage,

        -- numerics
        amount as amount_usd,

        -- booleans
        qualified as is_qualified,
        stage in ('closed_won', 'closed_lost') as is_closed,

        -- timestamps (UTC)
        created_at,
        won_at,
        lost_at,
        updated_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
