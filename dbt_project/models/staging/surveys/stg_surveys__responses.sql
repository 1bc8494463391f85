-- One row per survey response, with the scale of its survey type (catalogue §1.3).
with source as (
    select * from {{ source('surveys', 'responses') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by response_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        response_id,
        client_id,
        employee_id,
        ticket_id,

        -- strings
        survey_type,
        touchpoint,
        comment,

        -- numerics
        cast(score as integer) as score,
        case survey_type
            when 'nps' then 0
            when 'csat' then 1
            when 'onboarding_satisfaction' then 0
            when 'employee_satisfaction' then 1
        end as scale_min,
        case survey_type
            when 'nps' then 10
            when 'csat' then 5
            when 'onboarding_satisfaction' then 10
            when 'employee_satisfaction' then 5
        end as scale_max,

        -- timestamps (UTC)
        responded_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select
    *,
    -- A score outside its type's scale is excluded from KPIs and is a survey accuracy failure.
    score between scale_min and scale_max as is_score_in_scale
from renamed
