{#
  RAG status of one KPI observation (catalogue §4), first match wins:
  no_data -> provisional -> no_target -> red -> green -> yellow.
  `red_override` carries a KPI's own red rule that is not a threshold on the value (security
  incidents: any high/critical incident is red, catalogue §3 [d:Z]).
  Targets and red flags are the effective ones of int_kpi_targets (seed-driven, never restated).
#}
{% macro kpi_status(value='rag_value', provisional='is_provisional', no_data_reason='no_data_reason', red_override='is_red_override') -%}
    case
        when {{ value }} is null or {{ no_data_reason }} is not null then 'no_data'
        when {{ provisional }} then 'provisional'
        when target_operator = 'none' then 'no_target'
        when {{ red_override }} then 'red'
        when {{ kpi_red_condition(value) }} then 'red'
        when {{ kpi_green_condition(value) }} then 'green'
        else 'yellow'
    end
{%- endmacro %}

{% macro kpi_red_condition(value) -%}
    case red_flag_operator
        when '<=' then {{ value }} <= red_flag_value
        when '>=' then {{ value }} >= red_flag_value
        when '<' then {{ value }} < red_flag_value
        when '>' then {{ value }} > red_flag_value
        when 'outside' then {{ value }} <= red_flag_low or {{ value }} >= red_flag_high
        else false
    end
{%- endmacro %}

{% macro kpi_green_condition(value) -%}
    case target_operator
        when '>' then {{ value }} > target_value
        when '>=' then {{ value }} >= target_value
        when '<' then {{ value }} < target_value
        when '<=' then {{ value }} <= target_value
        when '=' then {{ value }} = target_value
        when 'range' then {{ value }} between target_low and target_high
        else false
    end
{%- endmacro %}

{#
  Signed gap, negative = worse (catalogue §8.4, §10.15): higher_is_better v - T,
  lower_is_better T - v, target_range 0 inside the band else minus the distance to the nearest bound.
#}
{% macro kpi_gap(value='rag_value') -%}
    case
        when {{ value }} is null or target_operator = 'none' then null
        when direction = 'higher_is_better' then {{ value }} - target_value
        when direction = 'lower_is_better' then target_value - {{ value }}
        when {{ value }} < target_low then {{ value }} - target_low
        when {{ value }} > target_high then target_high - {{ value }}
        else 0
    end
{%- endmacro %}

{# gap % = gap / |target| x 100; for a range, / the nearest bound (§8.5, §10.15, §10.20). #}
{% macro kpi_gap_pct(value='rag_value') -%}
    case
        when {{ value }} is null or target_operator = 'none' then null
        when direction = 'target_range' then
            100.0 * ({{ kpi_gap(value) }}) / nullif(abs(case when {{ value }} < target_low then target_low else target_high end), 0)
        else 100.0 * ({{ kpi_gap(value) }}) / nullif(abs(target_value), 0)
    end
{%- endmacro %}

{# gap_to_red (§8.5): signed the same way against the red flag; positive = room before red. #}
{% macro kpi_gap_to_red(value='rag_value') -%}
    case
        when {{ value }} is null or red_flag_operator = 'none' then null
        when red_flag_operator in ('<=', '<') then {{ value }} - red_flag_value
        when red_flag_operator in ('>=', '>') then red_flag_value - {{ value }}
        else least({{ value }} - red_flag_low, red_flag_high - {{ value }})
    end
{%- endmacro %}
