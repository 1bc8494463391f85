-- Client ids excluded from every KPI (catalogue §1.2): the seed excluded_client_ids plus the CRM
-- clients flagged test or deleted. Client KPIs anti-join this list on client_id.
with seeded as (
    select
        cast(client_id as varchar) as client_id,
        cast('seed_' || coalesce(reason, 'other') as varchar) as exclusion_reason
    from {{ ref('excluded_client_ids') }}
    where client_id is not null
),

flagged as (
    select
        client_id,
        case when is_test then 'crm_test' else 'crm_deleted' end as exclusion_reason
    from {{ ref('stg_crm__contacts') }}
    where client_id is not null
      and (is_test or is_deleted)
),

unioned as (
    select * from seeded
    union all
    select * from flagged
)

select client_id, exclusion_reason
from unioned
qualify row_number() over (partition by client_id order by exclusion_reason) = 1
