-- One row per training assignment at its latest status (assigned, overdue, completed, cancelled).
with source as (
    select * from {{ source('hr', 'training_assignments') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by assignment_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        assignment_id,
        employee_id,

        -- strings
        course,
        status,

        -- numerics
        assessment_score,

        -- booleans
        status = 'cancelled' as is_cancelled,

        -- timestamps (UTC)
        assigned_at,
        due_at,
        completed_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
