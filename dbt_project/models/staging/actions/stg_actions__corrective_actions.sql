-- One row per corrective action: its latest delivered state, typed, instants in UTC.
with source as (
    select * from {{ source('actions', 'corrective_actions') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by action_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        action_id,
        kpi_id,
        alert_id,
        owner_id,

        -- strings
        origin,
        department,
        description,
        status,

        -- booleans
        left(kpi_id, 3) = 'dt_' as is_dialer_trigger,

        -- timestamps (UTC)
        created_at,
        due_at,
        completed_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
