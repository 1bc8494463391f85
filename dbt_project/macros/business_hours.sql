{#
  bh(a, b) of catalogue §1.1: elapsed business hours between two naive-UTC instants, counted
  over the opening hours of dim_date (business calendar, holidays excluded). Used as a
  correlated subquery so each KPI model can write `{{ business_hours('created_at', 'first_response_at') }}`.
#}
{% macro business_hours(start_at, end_at) -%}
    (
        select coalesce(sum(
            greatest(
                0,
                epoch(least({{ end_at }}, d.closes_at_utc)) - epoch(greatest({{ start_at }}, d.opens_at_utc))
            )
        ), 0) / 3600.0
        from {{ ref('dim_date') }} as d
        where d.is_business_day
          and d.opens_at_utc < {{ end_at }}
          and d.closes_at_utc > {{ start_at }}
    )
{%- endmacro %}
