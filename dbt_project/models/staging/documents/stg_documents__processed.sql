-- One row per processed document batch: its latest delivered version, typed.
with source as (
    select * from {{ source('documents', 'processed') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by batch_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        batch_id,
        employee_id,

        -- strings
        document_type,

        -- numerics
        "count" as document_count,
        errors as error_count,

        -- dates (business time zone)
        processed_on,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
