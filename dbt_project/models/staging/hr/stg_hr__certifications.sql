-- One row per (employee, certification) record at its latest state: renewals update the record.
with source as (
    select * from {{ source('hr', 'certifications') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by certification_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        certification_id,
        employee_id,

        -- strings
        certification,

        -- booleans
        required as is_required,
        "current" as is_current,

        -- dates
        issued_at,
        expires_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
