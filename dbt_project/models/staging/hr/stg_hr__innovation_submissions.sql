-- One row per idea submitted to the innovation programme (catalogue §9 entity).
with source as (
    select * from {{ source('hr', 'innovation_submissions') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by submission_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        submission_id,
        employee_id,

        -- strings
        category,
        title,

        -- timestamps (UTC)
        submitted_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
