-- One row per compliance audit: its latest delivered version, typed, instants in UTC.
with source as (
    select * from {{ source('compliance', 'audits') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by audit_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        audit_id,

        -- strings
        department,
        audit_type,

        -- numerics
        score,
        findings,

        -- booleans
        passed,

        -- timestamps (UTC)
        audited_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
