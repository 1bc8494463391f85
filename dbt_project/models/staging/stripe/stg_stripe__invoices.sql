-- One row per Stripe invoice: its latest delivered state, typed, in dollars and UTC.
with source as (
    select * from {{ source('stripe', 'invoices') }}
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
        id as invoice_id,
        subscription as subscription_id,
        {{ pseudonymise('customer') }} as customer_key,

        -- strings
        status,
        billing_reason,
        currency,

        -- numerics
        {{ cents_to_dollars('amount_due') }} as amount_due_usd,
        {{ cents_to_dollars('amount_paid') }} as amount_paid_usd,
        {{ cents_to_dollars('amount_remaining') }} as amount_remaining_usd,
        attempt_count,

        -- booleans
        not coalesce(livemode, true) as is_test,

        -- dates (business time zone): the day payment is due, for on-time rules (§10.10)
        cast({{ utc_to_local(epoch_to_timestamp('due_date')) }} as date) as due_date,

        -- timestamps (UTC)
        {{ epoch_to_timestamp('created') }} as created_at,
        {{ epoch_to_timestamp('finalized_at') }} as finalized_at,
        {{ epoch_to_timestamp('due_date') }} as due_at,
        {{ epoch_to_timestamp('paid_at') }} as paid_at,
        {{ epoch_to_timestamp('voided_at') }} as voided_at,
        {{ epoch_to_timestamp('marked_uncollectible_at') }} as marked_uncollectible_at,
        {{ epoch_to_timestamp('period_start') }} as period_started_at,
        {{ epoch_to_timestamp('period_end') }} as period_ended_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
