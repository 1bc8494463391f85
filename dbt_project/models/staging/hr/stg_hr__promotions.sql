-- One row per internal promotion (a grade change within the employee's role family).
with source as (
    select * from {{ source('hr', 'promotions') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by promotion_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        promotion_id,
        employee_id,

        -- strings
        from_role,
        to_role,

        -- timestamps (UTC)
        promoted_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
