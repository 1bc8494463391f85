-- One row per Stripe charge (payment attempt): its latest delivered state, in dollars and UTC.
with source as (
    select * from {{ source('stripe', 'charges') }}
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
        id as charge_id,
        invoice as invoice_id,
        {{ pseudonymise('customer') }} as customer_key,

        -- strings
        status,
        failure_code,
        currency,

        -- numerics
        {{ cents_to_dollars('amount') }} as amount_usd,
        {{ cents_to_dollars('coalesce(amount_refunded, 0)') }} as amount_refunded_usd,

        -- booleans
        coalesce(paid, false) as is_paid,
        coalesce(refunded, false) as is_refunded,
        not coalesce(livemode, true) as is_test,

        -- timestamps (UTC)
        {{ epoch_to_timestamp('created') }} as created_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
