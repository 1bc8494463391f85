-- One row per dispute (one negative item at one bureau): its latest delivered state, UTC.
with source as (
    select * from {{ source('disputes', 'disputes') }}
),

latest as (
    select
        *,
        min(_partition) over (partition by dispute_id) as first_partition
    from source
    qualify row_number() over (
        partition by dispute_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        dispute_id,
        client_id,
        negative_item_id,
        specialist_id,

        -- strings
        bureau,
        outcome,

        -- booleans
        outcome = 'pending' as is_pending,
        -- dispute_success_rate: removed or updated = success, verified = failure, pending = null
        case
            when outcome in ('removed', 'updated') then true
            when outcome = 'verified' then false
        end as is_successful,

        -- timestamps (UTC)
        opened_at,
        submitted_at,
        resolved_at,

        -- load audit
        first_partition as first_delivered_on,
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
