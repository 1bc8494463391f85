{#
  Trend and gap rules (catalogue §8). performance-signed value: higher_is_better v,
  lower_is_better -v, target_range -|v - midpoint|.
#}
{% macro kpi_performance_value(value='rag_value') -%}
    case direction
        when 'higher_is_better' then {{ value }}
        when 'lower_is_better' then -{{ value }}
        else -abs({{ value }} - (target_low + target_high) / 2.0)
    end
{%- endmacro %}

{# Materiality ε (§8.2): materiality_pct of |target|; without a target (or target 0), of the
   previous value, at least one display unit. #}
{% macro kpi_materiality(previous='previous_rag_value', pct='materiality_pct') -%}
    case
        when target_operator not in ('none', 'range') and coalesce(target_value, 0) <> 0
            then {{ pct }} / 100.0 * abs(target_value)
        when target_operator = 'range'
            then {{ pct }} / 100.0 * abs((target_low + target_high) / 2.0)
        else greatest({{ pct }} / 100.0 * abs({{ previous }}), 1.0)
    end
{%- endmacro %}
