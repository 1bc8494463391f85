-- One row per production job: its latest delivered state, typed, instants in UTC.
with source as (
    select * from {{ source('production', 'jobs') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by job_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        job_id,
        client_id,

        -- strings
        job_type,
        status,

        -- booleans
        quality_passed,
        status = 'completed' as is_completed,

        -- timestamps (UTC)
        created_at,
        scheduled_end as scheduled_end_at,
        actual_end as actual_end_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select
    *,
    -- Fractional days past the schedule (negative when early); production_delay_days takes
    -- max(0, this) over finished jobs.
    {{ dbt.datediff('scheduled_end_at', 'actual_end_at', 'second') }} / 86400.0 as delay_days
from renamed
