-- One row per website lead-form submission; each created a CRM lead.
with source as (
    select * from {{ source('marketing', 'lead_forms') }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by form_id
        order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        form_id,
        lead_id,
        session_id,

        -- strings
        channel,
        form_name,

        -- timestamps (UTC)
        submitted_at,

        -- load audit
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
