-- One row per credit-score pull per bureau.
with source as (
    select * from {{ source('disputes', 'credit_scores') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by score_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        score_id,
        client_id,

        -- strings
        bureau,

        -- numerics
        cast(score as integer) as score,

        -- booleans
        score between 300 and 850 as is_score_in_range,

        -- dates (business time zone)
        cast(as_of as date) as as_of,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
