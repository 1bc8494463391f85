-- One row per employee: the latest delivered version of the employee master record, names and
-- contact details dropped (PII stays in raw). Leavers stay, with their termination date and reason.
with source as (
    select * from {{ source('hr', 'employees') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by employee_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        employee_id,
        manager_id,

        -- strings
        department,
        role,
        job_title,
        job_level,
        employment_status,
        termination_reason,

        -- booleans
        job_level = 'head' as is_department_head,

        -- dates
        hire_date,
        termination_date,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
