{# int_kpi_* models of the financial perspective (see kpi_components.sql). #}
{% macro kpi_components_financial() %}
    {{ return(['int_kpi_mrr']) }}
{% endmacro %}
