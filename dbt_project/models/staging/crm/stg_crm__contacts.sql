-- One row per CRM contact (lead or client): its latest delivered state, typed, with people's
-- identifiers pseudonymised. Test and deleted records are flagged, not dropped.
with source as (
    select * from {{ source('crm', 'contacts') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by contact_id
        order by _partition desc, _line desc nulls last, updated_at desc
    ) = 1
),

renamed as (
    select
        -- ids
        contact_id,
        client_id,
        owner_id,
        -- hashes the raw `cus_…` value exactly as stg_stripe__subscriptions.customer_key does
        {{ pseudonymise('stripe_customer_id') }} as customer_key,
        {{ pseudonymise('lower(trim(email))') }} as email_key,
        {{ pseudonymise("regexp_replace(phone, '[^0-9]', '', 'g')") }} as phone_key,

        -- strings
        status,
        lead_source,
        campaign,
        lost_reason,
        goal_status,

        -- numerics
        goal_score,

        -- booleans
        coalesce(is_test, false) as is_test,
        coalesce(is_deleted, false) as is_deleted,

        -- timestamps (UTC)
        created_at,
        became_client_at,
        goal_achieved_at,
        updated_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
