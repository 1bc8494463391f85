-- One row per touchpoint execution, typed, instants in UTC.
with source as (
    select * from {{ source('automation', 'runs') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by execution_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        execution_id,
        client_id,

        -- strings
        touchpoint,

        -- booleans
        automated as is_automated,
        succeeded as is_succeeded,

        -- timestamps (UTC)
        run_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
