-- One row per month-end balance sheet, amounts in USD.
with source as (
    select * from {{ source('quickbooks', 'balance_snapshots') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by snapshot_date order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- dates
        snapshot_date,

        -- numerics
        cash,
        accounts_receivable,
        current_assets,
        current_liabilities,
        accounts_payable,
        -- the "other current assets" of operating_cash_flow (catalogue §2.1)
        current_assets - cash - accounts_receivable as other_current_assets,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
