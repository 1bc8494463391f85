-- One row per general-ledger posting line. The export signs amounts debit-positive and
-- credit-negative; `amount` here is sign-normalised so that each account type's natural
-- balance is positive (catalogue §1.3): income is flipped, so a refund against income is
-- negative, and a vendor credit stays a negative expense.
with source as (
    select * from {{ source('quickbooks', 'gl_entries') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by entry_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        entry_id,
        account_id,

        -- strings
        account_name,
        account_type,
        department,
        transaction_type,
        memo,

        -- numerics
        case
            when account_type = 'income' then -amount
            else amount
        end as amount,
        amount as signed_amount,

        -- dates
        "date" as entry_date,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
