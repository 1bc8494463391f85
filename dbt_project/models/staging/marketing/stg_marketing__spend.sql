-- One row per campaign per day of marketing spend, in USD (latest delivery of each day).
with source as (
    select * from {{ source('marketing', 'spend') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by "date", campaign_id
        order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        campaign_id,

        -- strings
        channel,
        campaign as campaign_name,

        -- numerics
        spend as spend_usd,

        -- dates (business time zone)
        "date" as spend_date,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
