-- One row per Stripe refund, in dollars and UTC. Refunds have no livemode flag of their own:
-- a test-mode refund is one whose charge is a test-mode charge.
with source as (
    select * from {{ source('stripe', 'refunds') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        id as refund_id,
        charge as charge_id,

        -- strings
        reason,
        status,
        currency,

        -- numerics
        {{ cents_to_dollars('amount') }} as amount_usd,

        -- timestamps (UTC)
        {{ epoch_to_timestamp('created') }} as created_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
