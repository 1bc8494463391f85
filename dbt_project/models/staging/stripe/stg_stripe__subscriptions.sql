-- One row per Stripe subscription: its latest delivered state, typed, in dollars and UTC.
with source as (
    select * from {{ source('stripe', 'subscriptions') }}
),

latest as (
    select *
    from source
    qualify row_number() over (partition by id order by _partition desc, _line desc) = 1
),

renamed as (
    select
        -- ids
        id as subscription_id,
        {{ pseudonymise('customer') }} as customer_key,

        -- strings
        status,
        interval as billing_interval,
        currency,
        cancellation_reason,

        -- numerics
        {{ cents_to_dollars('plan_amount') }} as plan_amount_usd,
        coalesce(interval_count, 1) as interval_count,
        coalesce(quantity, 1) as quantity,

        -- booleans
        not coalesce(livemode, true) as is_test,

        -- timestamps (UTC)
        {{ epoch_to_timestamp('created') }} as created_at,
        {{ epoch_to_timestamp('start_date') }} as started_at,
        {{ epoch_to_timestamp('trial_end') }} as trial_ended_at,
        {{ epoch_to_timestamp('canceled_at') }} as canceled_at,
        {{ epoch_to_timestamp('ended_at') }} as ended_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select
    *,
    -- sub_mrr (catalogue §1.3): plan amount x quantity, normalised to a month.
    plan_amount_usd * quantity / interval_count
        * case billing_interval
            when 'month' then 1.0
            when 'year' then 1.0 / 12
            when 'week' then 52.0 / 12
            when 'day' then 365.0 / 12
        end as monthly_amount_usd
from renamed
