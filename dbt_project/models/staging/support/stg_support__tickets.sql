-- One row per help-desk ticket: its latest delivered state, instants in UTC.
with source as (
    select * from {{ source('support', 'tickets') }}
),

latest as (
    select
        *,
        min(_partition) over (partition by ticket_id) as first_partition
    from source
    qualify row_number() over (
        partition by ticket_id order by _partition desc, _line desc nulls last
    ) = 1
),

renamed as (
    select
        -- ids
        ticket_id,
        client_id,
        assignee_id,

        -- strings
        channel,
        category,
        created_by,
        status,

        -- booleans
        is_complaint,
        created_by = 'client' as is_client_created,
        resolved_on_first_contact,

        -- timestamps (UTC)
        created_at,
        first_response_at,
        resolved_at,
        sla_due_at,

        -- load audit: a ticket first delivered days after its creation came in a late file
        first_partition as first_delivered_on,
        _partition as delivered_on,
        _loaded_at as loaded_at
    from latest
)

select * from renamed
