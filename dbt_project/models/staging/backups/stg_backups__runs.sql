-- One row per backup attempt, typed, instants in UTC.
with source as (
    select * from {{ source('backups', 'runs') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by backup_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        backup_id,
        slot_id,

        -- strings
        system,
        backup_type,

        -- numerics
        size_mb,

        -- booleans
        scheduled as is_scheduled,
        succeeded as is_succeeded,

        -- timestamps (UTC)
        started_at,
        completed_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
