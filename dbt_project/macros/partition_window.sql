{#
  Daily partitions for incremental models (DESIGN.md §6). The orchestrator passes the run's
  partition window as vars: min_date (first day, inclusive) and max_date (the day after the last,
  exclusive), in the business time zone's calendar (orchestration/assets/dbt.py). Without them
  (a plain `dbt build`) the window is every delivery, so a hand-run build is still complete.
#}
{% macro in_partition_window(column_name) -%}
    {%- if var('min_date', none) and var('max_date', none) -%}
        ({{ column_name }} >= cast('{{ var("min_date") }}' as date)
         and {{ column_name }} < cast('{{ var("max_date") }}' as date))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#
  The raw rows an incremental staging model rebuilds. On an incremental run: every delivered
  version of each key delivered inside the partition window, so the latest version of that key is
  chosen again over all its deliveries and replaces the stored row (unique_key, delete+insert).
  A late re-delivery of an old partition therefore re-processes exactly its keys. On the first
  build or a full refresh: every row.
#}
{% macro incremental_source(source_name, table_name, key) -%}
    select * from {{ source(source_name, table_name) }}
    {%- if is_incremental() %}
    where {{ key }} in (
        select {{ key }} from {{ source(source_name, table_name) }}
        where {{ in_partition_window('_partition') }}
    )
    {%- endif %}
{%- endmacro %}
