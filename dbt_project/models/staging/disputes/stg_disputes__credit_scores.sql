-- One row per credit-score pull per bureau.
-- Incremental on the daily partition (event-level, one of the biggest sources): a run rebuilds
-- only the keys delivered in its partition window (macros/partition_window.sql).
{{ config(
    materialized='incremental',
    unique_key='score_id',
    incremental_strategy='delete+insert',
    on_schema_change='sync_all_columns'
) }}

with source as (
    {{ incremental_source('disputes', 'credit_scores', 'score_id') }}
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
