-- One row per QA review: its latest delivered version, typed, instants in UTC.
with source as (
    select * from {{ source('qa', 'reviews') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by review_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        review_id,
        employee_id,

        -- strings
        review_type,

        -- numerics
        items_reviewed,
        errors,
        rework,
        score_pct,

        -- timestamps (UTC)
        reviewed_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select
    *,
    -- The review's quality score (quality_assurance_score, quality_control_score): the rubric
    -- score where there is one, else the share of items without an error.
    coalesce(
        score_pct,
        100.0 * (1 - errors / nullif(items_reviewed, 0))
    ) as quality_score_pct
from renamed
