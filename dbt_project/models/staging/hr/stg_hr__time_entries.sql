-- One row per employee per worked day (catalogue §1.3 emp-day when hours_worked > 0).
with source as (
    select * from {{ source('hr', 'time_entries') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by entry_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        entry_id,
        employee_id,

        -- strings
        department,

        -- numerics
        hours_worked,
        productive_hours,
        cases_handled,

        -- dates
        "date" as work_date,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
