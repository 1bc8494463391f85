-- One row per quarterly performance review.
with source as (
    select * from {{ source('hr', 'performance_reviews') }}
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
        review_period,

        -- numerics
        score,
        peer_score,
        goal_achievement_pct,

        -- timestamps (UTC)
        reviewed_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
